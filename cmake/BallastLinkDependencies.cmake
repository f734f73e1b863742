# ballast_describe_link_dependencies(target requires_var libs_var find_var)
#
# Reads what `target` links (LINK_LIBRARIES) and describes it for users of
# the installed static library:
#   requires_var  pkg-config Requires.private modules ("libcpuinfo")
#   libs_var      pkg-config Libs.private flags ("-lstdc++ -lm -pthread ...")
#   find_var      CMake code for ballastConfig.cmake that recreates the
#                 imported targets the export refers to
# Known dependencies: ballast::cpuinfo, Threads::Threads, ballast::xnnpack
# (+ pthreadpool), DNNL::dnnl / DNNL::dnnl* targets. Anything else stops the
# configure step, so a new dependency cannot silently break static linking.
function(ballast_describe_link_dependencies target requires_var libs_var find_var)
  set(requires "")
  set(find_code "")
  # The library is C++: a C program linking it statically needs the runtime.
  set(libs "-lstdc++" "-lm")
  get_target_property(linked ${target} LINK_LIBRARIES)
  if(NOT linked)
    set(linked "")
  endif()
  foreach(item IN LISTS linked)
    if(item STREQUAL "ballast::cpuinfo")
      list(APPEND requires "libcpuinfo")
      # ballast::cpuinfo is an ALIAS: the export names the real target,
      # PkgConfig::BALLAST_CPUINFO (cmake/BallastDependencies.cmake).
      string(APPEND find_code
        "if(NOT TARGET PkgConfig::BALLAST_CPUINFO)\n"
        "  find_dependency(PkgConfig)\n"
        "  pkg_check_modules(BALLAST_CPUINFO REQUIRED IMPORTED_TARGET libcpuinfo)\n"
        "endif()\n")
    elseif(item STREQUAL "Threads::Threads")
      list(APPEND libs "-pthread")
      string(APPEND find_code "find_dependency(Threads)\n")
    elseif(item STREQUAL "ballast::xnnpack")
      list(APPEND libs "-lXNNPACK" "-lpthreadpool")
      string(APPEND find_code
        "if(NOT TARGET ballast::xnnpack)\n"
        "  find_library(BALLAST_XNNPACK_LIBRARY NAMES XNNPACK xnnpack REQUIRED)\n"
        "  find_library(BALLAST_PTHREADPOOL_LIBRARY NAMES pthreadpool REQUIRED)\n"
        "  add_library(ballast::xnnpack INTERFACE IMPORTED)\n"
        "  set_target_properties(ballast::xnnpack PROPERTIES INTERFACE_LINK_LIBRARIES\n"
        "    \"\${BALLAST_XNNPACK_LIBRARY};\${BALLAST_PTHREADPOOL_LIBRARY}\")\n"
        "endif()\n")
    elseif(item STREQUAL "ballast::pthreadpool")
      list(APPEND libs "-lpthreadpool")
      string(APPEND find_code
        "if(NOT TARGET ballast::pthreadpool)\n"
        "  find_library(BALLAST_PTHREADPOOL_LIBRARY NAMES pthreadpool REQUIRED)\n"
        "  add_library(ballast::pthreadpool INTERFACE IMPORTED)\n"
        "  set_target_properties(ballast::pthreadpool PROPERTIES INTERFACE_LINK_LIBRARIES \"\${BALLAST_PTHREADPOOL_LIBRARY}\")\n"
        "endif()\n")
    elseif(item MATCHES "^DNNL::")
      list(APPEND libs "-ldnnl")
      string(APPEND find_code "find_dependency(dnnl CONFIG)\n")
    elseif(item MATCHES "^\\$<")
      # Generator expressions here are build-tree only (BUILD_INTERFACE).
    else()
      message(FATAL_ERROR "ballast links '${item}': tell cmake/BallastLinkDependencies.cmake how static users "
                          "link it (pkg-config Libs.private) and cmake/ballastConfig.cmake.in how to find it")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES requires)
  list(REMOVE_DUPLICATES libs)
  string(REPLACE ";" " " requires "${requires}")
  string(REPLACE ";" " " libs "${libs}")
  set(${requires_var} "${requires}" PARENT_SCOPE)
  set(${libs_var} "${libs}" PARENT_SCOPE)
  set(${find_var} "${find_code}" PARENT_SCOPE)
endfunction()
