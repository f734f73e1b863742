/* c_stream: `ballast stream` through the C API. Reads transcript lines
 * (plain or whisper.cpp-timestamped) from a file or stdin, writes a summary
 * every N transcript tokens and at the end, checkpoints to a state file and
 * resumes from it on restart.
 *
 *   c_stream MODEL.gguf [TRANSCRIPT|-] [EVERY_TOKENS] [STATE_FILE]
 *
 * Pure C11. The resumed input offset is honoured by skipping that many bytes
 * of the input (a file re-read from the start, as after a power cut). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ballast_stream.h"

static int fail(const char *what, ballast_status status, const char *message) {
  fprintf(stderr, "c_stream: %s: %s (%s)\n", what, message, ballast_status_string(status));
  return 1;
}

static int print_summary(ballast_stream *stream) {
  const char *text = NULL;
  size_t len = 0;
  ballast_status st = ballast_stream_summarize(stream, &text, &len);
  if (st != BALLAST_OK) return fail("summary", st, ballast_stream_last_error(stream));
  ballast_stream_stats stats;
  ballast_stream_get_stats(stream, &stats);
  printf("[summary %llu | %llu tokens] %.*s\n", (unsigned long long)(stats.summaries - 1),
         (unsigned long long)stats.transcript_tokens, (int)len, text);
  fflush(stdout);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: c_stream MODEL.gguf [TRANSCRIPT|-] [EVERY_TOKENS] [STATE_FILE]\n");
    return 2;
  }
  const char *input_path = argc > 2 ? argv[2] : "-";
  const unsigned long long every = argc > 3 ? strtoull(argv[3], NULL, 10) : 256;
  const char *state_path = argc > 4 ? argv[4] : NULL;

  ballast_model *model = NULL;
  ballast_status st = ballast_model_load(argv[1], NULL, &model);
  if (st != BALLAST_OK) return fail("load", st, ballast_last_error());

  ballast_stream_params params = ballast_stream_default_params();
  params.session.window = 508;
  params.summary_max_tokens = 32;
  ballast_stream *stream = NULL;
  st = ballast_stream_create(model, &params, &stream);
  if (st != BALLAST_OK) {
    ballast_model_free(model);
    return fail("create", st, ballast_last_error());
  }

  unsigned long long skip = 0;
  if (state_path != NULL) {
    st = ballast_stream_load(stream, state_path);
    if (st == BALLAST_OK) {
      ballast_stream_stats stats;
      ballast_stream_get_stats(stream, &stats);
      skip = stats.input_offset;
      fprintf(stderr, "c_stream: resumed: %llu tokens, %llu summaries, input offset %llu\n",
              (unsigned long long)stats.transcript_tokens, (unsigned long long)stats.summaries, skip);
    } else if (strncmp(ballast_stream_last_error(stream), "no state file", 13) != 0) {
      int code = fail("state file refused", st, ballast_stream_last_error(stream));
      ballast_stream_free(stream);
      ballast_model_free(model);
      return code;
    }
  }

  FILE *in = strcmp(input_path, "-") == 0 ? stdin : fopen(input_path, "rb");
  if (in == NULL) {
    fprintf(stderr, "c_stream: cannot open %s\n", input_path);
    ballast_stream_free(stream);
    ballast_model_free(model);
    return 1;
  }
  static char line[65536];  /* longer lines arrive in pieces */
  unsigned long long offset = 0, last_summary = 0;
  int code = 0;
  ballast_stream_stats stats;
  ballast_stream_get_stats(stream, &stats);
  last_summary = stats.transcript_tokens;
  while (fgets(line, sizeof line, in) != NULL) {
    const size_t len = strlen(line);
    offset += len;
    if (offset <= skip) continue;  /* consumed before the checkpoint */
    bool control = false;
    st = ballast_stream_feed_line(stream, line, len, &control);
    if (st != BALLAST_OK) { code = fail("feed", st, ballast_stream_last_error(stream)); break; }
    ballast_stream_set_input_offset(stream, offset);
    ballast_stream_get_stats(stream, &stats);
    if (control || (every > 0 && stats.transcript_tokens - last_summary >= every)) {
      if ((code = print_summary(stream)) != 0) break;
      last_summary = stats.transcript_tokens;
      if (state_path != NULL && (st = ballast_stream_save(stream, state_path)) != BALLAST_OK) {
        code = fail("save", st, ballast_stream_last_error(stream));
        break;
      }
    }
  }
  ballast_stream_get_stats(stream, &stats);
  if (code == 0 && stats.transcript_tokens > last_summary) code = print_summary(stream);
  if (code == 0 && state_path != NULL && (st = ballast_stream_save(stream, state_path)) != BALLAST_OK) {
    code = fail("save", st, ballast_stream_last_error(stream));
  }
  ballast_stream_get_stats(stream, &stats);
  fprintf(stderr, "c_stream: %llu lines, %llu tokens, %llu summaries, %llu evictions, arena %llu bytes\n",
          (unsigned long long)stats.lines, (unsigned long long)stats.transcript_tokens,
          (unsigned long long)stats.summaries, (unsigned long long)stats.evictions,
          (unsigned long long)stats.arena_bytes);
  if (in != stdin) fclose(in);
  ballast_stream_free(stream);
  ballast_model_free(model);
  return code;
}
