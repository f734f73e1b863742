# Warning flags applied to every Ballast target: the build is warning-free.
function(ballast_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow=local -Wno-missing-field-initializers)
endfunction()
