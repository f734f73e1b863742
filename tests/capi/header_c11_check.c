/* Compiled as C11 with -Wall -Wextra -Werror -pedantic (and header_c99_check.c
 * as C99): the public header must be clean C. Uses every type and takes the
 * address of every function so a C-incompatible declaration fails the build. */
#include <ballast.h>

typedef void (*any_function)(void);

struct ballast_header_check {
  ballast_status status;
  ballast_model_params model_params;
  ballast_session_params session_params;
  ballast_sampling_params sampling_params;
  ballast_session_stats stats;
  ballast_generate_result result;
  ballast_kv_type kv_type;
  ballast_cache_mode mode;
  ballast_stop_reason stop_reason;
  ballast_token_callback callback;
};

/* Casting between function pointer types is valid C; calling through it is not done. */
typedef void (*generic_function)(void);

int ballast_header_check_function_count(void);
int ballast_header_check_function_count(void) {
  generic_function functions[] = {
      (generic_function)&ballast_status_string,        (generic_function)&ballast_last_error,
      (generic_function)&ballast_version,              (generic_function)&ballast_model_default_params,
      (generic_function)&ballast_model_load,           (generic_function)&ballast_model_free,
      (generic_function)&ballast_model_n_vocab,        (generic_function)&ballast_model_n_ctx_train,
      (generic_function)&ballast_model_n_layer,        (generic_function)&ballast_model_n_embd,
      (generic_function)&ballast_model_architecture,   (generic_function)&ballast_model_name,
      (generic_function)&ballast_model_bos_token,      (generic_function)&ballast_model_eos_token,
      (generic_function)&ballast_model_eot_token,      (generic_function)&ballast_model_declared_sink_slots,
      (generic_function)&ballast_model_is_end_of_generation, (generic_function)&ballast_tokenize,
      (generic_function)&ballast_token_to_piece,       (generic_function)&ballast_detokenize,
      (generic_function)&ballast_sampling_default_params, (generic_function)&ballast_session_default_params,
      (generic_function)&ballast_session_plan_bytes,   (generic_function)&ballast_session_create,
      (generic_function)&ballast_session_free,         (generic_function)&ballast_session_last_error,
      (generic_function)&ballast_session_feed_text,    (generic_function)&ballast_session_feed_tokens,
      (generic_function)&ballast_session_logits,       (generic_function)&ballast_session_sample,
      (generic_function)&ballast_session_generate,     (generic_function)&ballast_session_get_stats,
      (generic_function)&ballast_session_reset};
  return (int)(sizeof(functions) / sizeof(functions[0]));
}
