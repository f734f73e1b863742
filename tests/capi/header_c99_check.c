/* The public header compiled as C99 -pedantic (see header_c11_check.c). */
#include <ballast.h>

int ballast_header_c99_check(void);
int ballast_header_c99_check(void) {
  ballast_session_params params = ballast_session_default_params();
  ballast_model *model = 0;
  return (int)params.window + (ballast_model_load(0, 0, &model) == BALLAST_OK);
}
