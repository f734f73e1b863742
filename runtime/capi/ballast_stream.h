/* ballast_stream.h: the C API of `ballast stream` — continuous transcript
 * summarisation over one session in fixed memory, with crash-safe
 * checkpoints. Builds on <ballast.h> (models, session params, status codes).
 *
 *   ballast_stream_params p = ballast_stream_default_params();
 *   ballast_stream *s;
 *   ballast_stream_create(model, &p, &s);
 *   ballast_stream_load(s, "meeting.state");           // resume if present
 *   while (read a line) {
 *     ballast_stream_feed_line(s, line, len, &is_control);
 *     if (time for a summary) ballast_stream_summarize(s, &text, &text_len);
 *     if (now and then) ballast_stream_save(s, "meeting.state");
 *   }
 *   ballast_stream_free(s);
 *
 * Semantics are those of the CLI (docs/STREAM.md): lines are cleaned
 * (whisper.cpp timestamps stripped, invalid UTF-8 -> U+FFFD, controls
 * dropped), a summary is generated after the transcript and then undone,
 * its first memory_max_tokens tokens are re-fed as the rolling memory.
 * A ballast_stream is used by one thread at a time; after create, feeding
 * lines and tokens, summaries and save/load allocate nothing. (The
 * tokenizer's buffers are reserved at create for lines of up to 4096 bytes;
 * a longer line grows them to what it needs, and they keep that size.)
 * These functions are in libballast.a and libballast.so (installed as
 * <ballast_stream.h> beside <ballast.h>). */
#ifndef BALLAST_STREAM_H
#define BALLAST_STREAM_H

#include "ballast.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ballast_stream ballast_stream;

typedef struct ballast_stream_params {
  /* Cache shape and sampling for summaries (see ballast_session_params).
   * Default: ballast_session_default_params() with sampling.temperature 0
   * (greedy summaries). */
  ballast_session_params session;
  /* Most tokens a summary has. 1..4096. Default: 48. */
  uint32_t summary_max_tokens;
  /* Tokens of the latest summary re-fed into the window. 0..4096. Default: 64. */
  uint32_t memory_max_tokens;
  /* What to ask chat models for; NULL = "Summarise the transcript so far in
   * one or two sentences." Copied at create. Default: NULL. */
  const char *instruction;
  /* Use the model's chat template family when recognised (else the plain
   * template). Default: true. */
  bool use_chat_template;
} ballast_stream_params;

typedef struct ballast_stream_stats {
  uint64_t transcript_tokens; /* transcript tokens fed (memory re-feeds excluded) */
  uint64_t lines;             /* non-empty lines fed */
  uint64_t summaries;         /* summaries generated */
  uint64_t memory_tokens;     /* tokens in the rolling memory now */
  uint64_t input_offset;      /* the value last given to ballast_stream_set_input_offset or loaded */
  uint64_t evictions;         /* window tokens evicted so far */
  uint64_t arena_bytes;       /* the session arena */
  uint64_t state_bytes;       /* checkpoint payload (and summary snapshot) size */
} ballast_stream_stats;

/* Defaults for every field above. Thread-safe. */
BALLAST_API ballast_stream_params ballast_stream_default_params(void);

/* Creates the stream's session and every buffer it will use. params may be
 * NULL (defaults). On failure *out_stream is NULL; ballast_last_error() says
 * why. The model must outlive the stream. */
BALLAST_API ballast_status ballast_stream_create(const ballast_model *model, const ballast_stream_params *params,
                                                 ballast_stream **out_stream);
/* NULL is a no-op. */
BALLAST_API void ballast_stream_free(ballast_stream *stream);
/* Message of this stream's last failed call ("" if none). Never NULL. */
BALLAST_API const char *ballast_stream_last_error(const ballast_stream *stream);

/* One transcript line (any bytes, need not be NUL-terminated; at most
 * 1 MiB, longer lines must be split by the caller). *is_control (may be
 * NULL) is set true when the line is the control line "#summary", which is
 * not fed: the caller should call ballast_stream_summarize(). */
BALLAST_API ballast_status ballast_stream_feed_line(ballast_stream *stream, const char *line, size_t line_len,
                                                    bool *is_control);
/* Token ids fed as transcript. */
BALLAST_API ballast_status ballast_stream_feed_tokens(ballast_stream *stream, const int32_t *tokens, size_t n_tokens);

/* Generates a summary of the window; *text (UTF-8, NUL-terminated, owned
 * by the stream, valid until the next call on it) and *text_len. */
BALLAST_API ballast_status ballast_stream_summarize(ballast_stream *stream, const char **text, size_t *text_len);

/* Records how far the input was consumed (bytes); saved in checkpoints. */
BALLAST_API ballast_status ballast_stream_set_input_offset(ballast_stream *stream, uint64_t offset);

/* Checkpoint to `path` atomically (path.tmp, fsync, rename, fsync dir). */
BALLAST_API ballast_status ballast_stream_save(ballast_stream *stream, const char *path);
/* Restores from `path`. IO with a message starting "no state file" when it
 * does not exist; CORRUPT_MODEL for a corrupted/truncated file; UNSUPPORTED
 * for another format version; INVALID_ARGUMENT for another model or other
 * settings. On any failure nothing is loaded. */
BALLAST_API ballast_status ballast_stream_load(ballast_stream *stream, const char *path);

BALLAST_API ballast_status ballast_stream_get_stats(const ballast_stream *stream, ballast_stream_stats *out_stats);

#ifdef __cplusplus
}
#endif

#endif /* BALLAST_STREAM_H */
