# Warning flags applied to every Ballast target: the build is warning-free.
function(ballast_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-missing-field-initializers
    $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local>)
endfunction()
