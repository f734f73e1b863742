/*
 * c_generate: generate text with Ballast from a C program.
 *
 *   c_generate MODEL.gguf [PROMPT] [MAX_TOKENS]
 *
 * Loads the model, creates a session (StreamingLLM sink + window cache in
 * memory fixed here), feeds the prompt, streams generated text to stdout
 * through a callback and prints the session's stats to stderr. Every call's
 * status is checked; failures print the status name and the last error.
 * MAX_TOKENS defaults to 64; -1 generates until end of text (or forever).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ballast.h>

/* Prints "c_generate: WHAT: STATUS (DETAIL)" and returns 1. */
static int report_failure(const char *what, ballast_status status, const char *detail) {
  fprintf(stderr, "c_generate: %s: %s (%s)\n", what, ballast_status_string(status), detail);
  return 1;
}

/* Called for each generated token: print its text as it arrives. */
static int print_piece(const char *piece, size_t len, int32_t token, void *user_data) {
  size_t *pieces_printed = (size_t *)user_data;
  (void)token;
  fwrite(piece, 1, len, stdout);
  fflush(stdout);
  *pieces_printed += 1;
  return 0; /* 0 = keep going; nonzero stops generation */
}

int main(int argc, char **argv) {
  const char *model_path;
  const char *prompt = "Once upon a time";
  long long max_tokens = 64;
  ballast_model *model = NULL;
  ballast_session *session = NULL;
  ballast_model_params model_params;
  ballast_session_params session_params;
  ballast_generate_result result;
  ballast_session_stats stats;
  ballast_status status;
  size_t pieces_printed = 0;
  int exit_code = 0;

  if (argc < 2 || argc > 4) {
    fprintf(stderr, "usage: %s MODEL.gguf [PROMPT] [MAX_TOKENS (-1 = until end of text)]\n", argv[0]);
    return 2;
  }
  model_path = argv[1];
  if (argc >= 3) prompt = argv[2];
  if (argc >= 4) max_tokens = strtoll(argv[3], NULL, 10);
  if (strcmp(ballast_version(), BALLAST_VERSION_STRING) != 0) {
    fprintf(stderr, "c_generate: header %s but library %s\n", BALLAST_VERSION_STRING, ballast_version());
    return 1;
  }

  model_params = ballast_model_default_params();
  status = ballast_model_load(model_path, &model_params, &model);
  if (status != BALLAST_OK) return report_failure("loading the model", status, ballast_last_error());
  fprintf(stderr, "c_generate: ballast %s, %s model, %d tokens in the vocabulary\n", ballast_version(),
          ballast_model_architecture(model), (int)ballast_model_n_vocab(model));

  session_params = ballast_session_default_params();
  session_params.sinks = 4;            /* attention-sink slots, never evicted */
  session_params.window = 252;         /* most recent tokens kept */
  session_params.sampling.seed = 1234; /* same seed, same text */
  status = ballast_session_create(model, &session_params, &session);
  if (status != BALLAST_OK) {
    exit_code = report_failure("creating the session", status, ballast_last_error());
    goto done;
  }

  fputs(prompt, stdout);
  status = ballast_session_feed_text(session, prompt, strlen(prompt), true, false);
  if (status != BALLAST_OK) {
    exit_code = report_failure("feeding the prompt", status, ballast_session_last_error(session));
    goto done;
  }

  status = ballast_session_generate(session, max_tokens, print_piece, &pieces_printed, &result);
  fputc('\n', stdout);
  if (status != BALLAST_OK) {
    exit_code = report_failure("generating", status, ballast_session_last_error(session));
    goto done;
  }

  status = ballast_session_get_stats(session, &stats);
  if (status != BALLAST_OK) {
    exit_code = report_failure("reading stats", status, ballast_session_last_error(session));
    goto done;
  }
  fprintf(stderr,
          "c_generate: generated %llu tokens (%s); arena %llu bytes; %llu tokens seen, %u cached, %llu evicted; "
          "prefill %.1f tok/s, decode %.1f tok/s\n",
          (unsigned long long)result.n_tokens,
          result.stop_reason == BALLAST_STOP_END_OF_GENERATION ? "end of text" : "token limit",
          (unsigned long long)stats.arena_bytes, (unsigned long long)stats.tokens_seen, (unsigned)stats.cached_tokens,
          (unsigned long long)stats.evictions, stats.prefill_tokens_per_second, stats.decode_tokens_per_second);
  if (pieces_printed != result.n_tokens) {
    fprintf(stderr, "c_generate: callback saw %zu tokens, generate reported %llu\n", pieces_printed,
            (unsigned long long)result.n_tokens);
    exit_code = 1;
  }

done:
  ballast_session_free(session);
  ballast_model_free(model);
  return exit_code;
}
