# Install rules (cmake --install): the public header <ballast.h>, the static
# library libballast.a, the shared library libballast.so.<major> (SONAME,
# only ballast_* exported), pkg-config's ballast.pc and the CMake package
# (find_package(ballast) -> ballast::ballast, ballast::ballast_static).
# Included once, at the end of the top-level CMakeLists.txt, so every
# folder's target_link_libraries(ballast ...) is already known.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(BALLAST_CMAKE_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/ballast)

# The static library is the in-tree `ballast` target; in the package it is
# ballast::ballast_static. The shared one is ballast::ballast.
set_target_properties(ballast PROPERTIES EXPORT_NAME ballast_static)
set(ballast_installed_targets ballast)
if(TARGET ballast_shared)
  set_target_properties(ballast_shared PROPERTIES EXPORT_NAME ballast)
  list(APPEND ballast_installed_targets ballast_shared)
endif()

install(TARGETS ${ballast_installed_targets} EXPORT ballastTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# ballast.h (+ ballast_stream.h): BALLAST_PUBLIC_HEADERS from runtime/capi/.
install(FILES ${BALLAST_PUBLIC_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# A C program linking the installed libballast.a links with the C compiler,
# which does not add the C++ runtime: the exported target names it.
target_link_libraries(ballast INTERFACE $<INSTALL_INTERFACE:stdc++> $<INSTALL_INTERFACE:m>)

# --- Private dependencies of the static library ---------------------------
# Translate what `ballast` links into pkg-config terms (Requires.private /
# Libs.private). The shared library needs none of it from its users.
include(BallastLinkDependencies)
ballast_describe_link_dependencies(ballast BALLAST_PC_REQUIRES_PRIVATE BALLAST_PC_LIBS_PRIVATE
  BALLAST_PACKAGE_FIND_DEPENDENCIES)

# --- pkg-config -------------------------------------------------------------
set(ballast_pc_dir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(BALLAST_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  # Relocatable: the prefix is found from the .pc file's own directory.
  file(RELATIVE_PATH ballast_pc_up "/prefix/${ballast_pc_dir}" "/prefix")
  string(REGEX REPLACE "/$" "" ballast_pc_up "${ballast_pc_up}")
  set(BALLAST_PC_PREFIX "\${pcfiledir}/${ballast_pc_up}")
endif()
# ballast.pc: the shared library (Requires.private/Libs.private serve
# `pkg-config --static`); ballast-static.pc: always libballast.a.
configure_file(${PROJECT_SOURCE_DIR}/cmake/ballast.pc.in ${PROJECT_BINARY_DIR}/ballast.pc @ONLY)
configure_file(${PROJECT_SOURCE_DIR}/cmake/ballast-static.pc.in ${PROJECT_BINARY_DIR}/ballast-static.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/ballast.pc ${PROJECT_BINARY_DIR}/ballast-static.pc DESTINATION ${ballast_pc_dir})

# --- CMake package ----------------------------------------------------------
install(EXPORT ballastTargets NAMESPACE ballast:: DESTINATION ${BALLAST_CMAKE_PACKAGE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/ballastConfig.cmake.in
  ${PROJECT_BINARY_DIR}/ballastConfig.cmake
  INSTALL_DESTINATION ${BALLAST_CMAKE_PACKAGE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ballastConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ballastConfig.cmake ${PROJECT_BINARY_DIR}/ballastConfigVersion.cmake
  DESTINATION ${BALLAST_CMAKE_PACKAGE_DIR})
