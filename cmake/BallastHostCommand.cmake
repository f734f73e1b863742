# ballast_host_command(<target> <out_var>)
#
# Sets <out_var> to a command the build host can run for the executable
# <target>: the target's file itself in a native build; in a cross build whose
# toolchain sets CMAKE_CROSSCOMPILING_EMULATOR (toolchains/*.cmake: qemu-user),
# a generated wrapper script, build-dir/host-commands/<target>, that runs the
# file under that emulator. Tests that start one of the project's programs
# themselves (std::system, popen) take their command from here, so they also
# pass when the test executable runs under qemu-user on a host without
# binfmt_misc (there, a foreign binary started from inside is "Exec format
# error"). The value may contain a generator expression: use it in
# target_compile_definitions / add_test, not in if().
include_guard(GLOBAL)

function(ballast_host_command target out_var)
  if(NOT CMAKE_CROSSCOMPILING OR NOT CMAKE_CROSSCOMPILING_EMULATOR)
    set(${out_var} "$<TARGET_FILE:${target}>" PARENT_SCOPE)
    return()
  endif()
  set(emulator "")
  foreach(word IN LISTS CMAKE_CROSSCOMPILING_EMULATOR)
    string(APPEND emulator "'${word}' ")
  endforeach()
  set(wrapper "${CMAKE_BINARY_DIR}/host-commands/${target}")
  file(GENERATE OUTPUT "${wrapper}"
       CONTENT "#!/bin/sh\n# Runs ${target} under the cross build's emulator (cmake/BallastHostCommand.cmake).\nexec ${emulator}'$<TARGET_FILE:${target}>' \"$@\"\n"
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  set(${out_var} "${wrapper}" PARENT_SCOPE)
endfunction()
