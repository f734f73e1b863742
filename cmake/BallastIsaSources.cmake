# ballast_add_isa_sources(<isa> <files...>)
#
# Adds per-ISA kernel translation units to the `ballast` library, each compiled
# with the flags of its instruction set and nothing else (the rest of the
# library stays baseline, so the binary runs on any CPU of the architecture).
# When the target architecture and compiler support <isa>, the files are added
# and `BALLAST_HAVE_ISA_<ISA>=1` is defined for the library, so the dispatch
# table (kernels/dispatch/) knows the variant exists; otherwise nothing is
# added and a configure message says so.
#
# ISAs: avx2, avxvnni, avx512, avx512vnni, avx512bf16 (x86_64); neon, dotprod,
# i8mm (ARM).
#
# Rule for the files: code compiled with ISA flags must not define functions
# with external (vague) linkage that baseline code could also instantiate --
# inline functions from shared headers, std:: templates -- or the linker may
# keep the ISA copy for everyone. Put kernel code in an anonymous namespace and
# export only plain functions named after the ISA.
include_guard(GLOBAL)
include(CheckCXXCompilerFlag)

set(BALLAST_COMPILED_ISAS "" CACHE INTERNAL "ISA kernel variants compiled into ballast")

function(ballast_isa_flags isa out_var)
  set(flags "")
  set(arch "${CMAKE_SYSTEM_PROCESSOR}")
  if(arch MATCHES "^(x86_64|AMD64|amd64)$")
    if(isa STREQUAL "avx2")
      set(flags -mavx2 -mfma -mf16c)
    elseif(isa STREQUAL "avxvnni")
      set(flags -mavx2 -mfma -mf16c -mavxvnni)
    elseif(isa STREQUAL "avx512")
      set(flags -mavx2 -mfma -mf16c -mavx512f -mavx512bw -mavx512vl)
    elseif(isa STREQUAL "avx512vnni")
      set(flags -mavx2 -mfma -mf16c -mavx512f -mavx512bw -mavx512vl -mavx512vnni)
    elseif(isa STREQUAL "avx512bf16")
      set(flags -mavx2 -mfma -mf16c -mavx512f -mavx512bw -mavx512vl -mavx512bf16)
    endif()
  elseif(arch MATCHES "^(aarch64|arm64|ARM64)$")
    if(isa STREQUAL "neon")
      set(flags -march=armv8-a)
    elseif(isa STREQUAL "dotprod")
      set(flags -march=armv8.2-a+dotprod)
    elseif(isa STREQUAL "i8mm")
      set(flags -march=armv8.2-a+dotprod+i8mm)
    endif()
  elseif(arch MATCHES "^(armv7|armv7l|armv7-a|arm)$")
    if(isa STREQUAL "neon")
      set(flags -mfpu=neon-vfpv4)
    endif()
  endif()
  set(${out_var} "${flags}" PARENT_SCOPE)
endfunction()

function(ballast_add_isa_sources isa)
  set(files ${ARGN})
  ballast_isa_flags(${isa} flags)
  if(NOT flags)
    message(STATUS "Ballast: ${isa} kernels not built (not an ISA of ${CMAKE_SYSTEM_PROCESSOR})")
    return()
  endif()
  string(MAKE_C_IDENTIFIER "ballast_cxx_supports_${isa}" check_var)
  string(REPLACE ";" " " flags_string "${flags}")
  set(CMAKE_REQUIRED_FLAGS "${flags_string}")
  check_cxx_compiler_flag("${flags_string}" ${check_var})
  unset(CMAKE_REQUIRED_FLAGS)
  if(NOT ${check_var})
    message(STATUS "Ballast: ${isa} kernels not built (compiler rejects ${flags_string})")
    return()
  endif()
  set_source_files_properties(${files} TARGET_DIRECTORY ballast PROPERTIES COMPILE_OPTIONS "${flags}")
  target_sources(ballast PRIVATE ${files})
  string(TOUPPER "${isa}" isa_upper)
  target_compile_definitions(ballast PRIVATE BALLAST_HAVE_ISA_${isa_upper}=1)
  set(compiled ${BALLAST_COMPILED_ISAS})
  if(NOT isa IN_LIST compiled)
    list(APPEND compiled ${isa})
    set(BALLAST_COMPILED_ISAS "${compiled}" CACHE INTERNAL "ISA kernel variants compiled into ballast")
  endif()
  message(STATUS "Ballast: ${isa} kernels built (${flags_string})")
endfunction()
