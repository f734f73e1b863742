/*
 * ballast.h: the public C API of Ballast, an embedded runtime that runs small
 * language models forever in RAM fixed at startup (StreamingLLM: attention-
 * sink KV slots + a rolling window of recent tokens).
 *
 * C99/C11 and C++ clean. Installed as <ballast.h>; link libballast.so
 * (exports only ballast_* symbols; pkg-config ballast, CMake ballast::ballast)
 * or libballast.a (also needs libcpuinfo, libstdc++, libm and pthreads;
 * pkg-config ballast-static, CMake ballast::ballast_static).
 *
 * Conventions
 *  - Opaque handles: ballast_model (immutable once loaded) and ballast_session
 *    (one endless stream, all of its memory reserved at creation).
 *  - Parameters: get defaults from ballast_*_default_params(), change the
 *    fields you care about, pass a pointer.
 *  - Every function that can fail returns a ballast_status. BALLAST_OK is 0.
 *    On failure, ballast_last_error() (this thread's most recent error) and,
 *    for session calls, ballast_session_last_error() hold a message such as
 *    "cannot commit N bytes: only M bytes of memory are available (missing
 *    K bytes)".
 *  - A NULL handle or NULL required pointer gives
 *    BALLAST_ERROR_INVALID_ARGUMENT, never a crash. No C++ exception ever
 *    leaves a ballast_* function (out-of-memory inside becomes
 *    BALLAST_ERROR_OUT_OF_MEMORY).
 *
 * Thread safety
 *  - A ballast_model is immutable after ballast_model_load(): any number of
 *    threads may use it at once (tokenize, detokenize, getters, creating
 *    sessions). Free it only after every session created from it is freed.
 *  - A ballast_session is used by one thread at a time (no internal locks);
 *    different sessions may run on different threads concurrently, even over
 *    the same model.
 *  - ballast_last_error() is per thread; ballast_status_string() and
 *    ballast_version() return static strings and are always safe.
 */
#ifndef BALLAST_H
#define BALLAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Version of this header; ballast_version() gives the library's. The CMake
 * build checks these against project(VERSION). */
#define BALLAST_VERSION_MAJOR 0
#define BALLAST_VERSION_MINOR 1
#define BALLAST_VERSION_PATCH 0
#define BALLAST_VERSION_STRING "0.1.0"

#if defined(__GNUC__) || defined(__clang__)
#define BALLAST_API __attribute__((visibility("default")))
#else
#define BALLAST_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Status codes and errors                                                   */
/* ------------------------------------------------------------------------ */

/* Ranged like the runtime's internal codes: 1..99 the caller passed
 * something wrong, 100..199 the input data is bad, 200..299 the environment
 * said no, 300.. a bug inside Ballast. */
typedef enum ballast_status {
  BALLAST_OK = 0,
  BALLAST_ERROR_INVALID_ARGUMENT = 1, /* NULL pointer, value out of its documented range */
  BALLAST_ERROR_OUT_OF_RANGE = 2,     /* token id outside the vocabulary, dense cache full */
  BALLAST_ERROR_BUFFER_TOO_SMALL = 3, /* output buffer too small; the needed size was written */
  BALLAST_ERROR_INVALID_STATE = 4,    /* e.g. sampling before anything was fed */
  BALLAST_ERROR_CORRUPT_MODEL = 100,  /* malformed or inconsistent model file */
  BALLAST_ERROR_UNSUPPORTED = 101,    /* valid file, but an architecture/type Ballast lacks */
  BALLAST_ERROR_OUT_OF_MEMORY = 200,  /* not enough memory (message has the missing bytes) */
  BALLAST_ERROR_IO = 201,             /* file missing, unreadable, mmap failed */
  BALLAST_ERROR_INTERNAL = 300        /* a bug in Ballast: please report the message */
} ballast_status;

/* "ok", "invalid argument", ... for any value (unknown codes give
 * "unknown status"). Static storage, never NULL. Thread-safe. */
BALLAST_API const char *ballast_status_string(ballast_status status);

/* Message of the most recent failed ballast_* call on the calling thread
 * ("" if none failed yet). Valid until the next failing call on this thread.
 * The only way to learn why ballast_model_load(), ballast_session_create()
 * and the model-level helpers failed. Never NULL. */
BALLAST_API const char *ballast_last_error(void);

/* "0.1.0": the library's version (compare with BALLAST_VERSION_STRING to
 * detect a header/library mismatch). Static storage. Thread-safe. */
BALLAST_API const char *ballast_version(void);

/* ------------------------------------------------------------------------ */
/* Models                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct ballast_model ballast_model;

typedef struct ballast_model_params {
  /* Ask the kernel to read the whole file into the page cache right away
   * (madvise WILLNEED) instead of on first use. Advisory only.
   * Default: false. */
  bool prefetch;
} ballast_model_params;

/* Defaults for every field above. Thread-safe. */
BALLAST_API ballast_model_params ballast_model_default_params(void);

/* Maps and validates a GGUF model (llama, qwen2, qwen3 architectures): the
 * header, every tensor's name/shape/type, the hyperparameters and the
 * tokenizer. Weights are used in place from the read-only mapping.
 * params may be NULL (defaults). On success *out_model is a new model (free
 * with ballast_model_free); on failure it is set to NULL.
 * Errors: INVALID_ARGUMENT (NULL path/out_model), IO (missing, unreadable),
 * CORRUPT_MODEL (truncated, malformed), UNSUPPORTED (architecture or tensor
 * type), OUT_OF_MEMORY. Thread-safe. */
BALLAST_API ballast_status ballast_model_load(const char *path, const ballast_model_params *params,
                                              ballast_model **out_model);

/* Unmaps the model. NULL is a no-op. Every session created from it must
 * have been freed first. */
BALLAST_API void ballast_model_free(ballast_model *model);

/* Model information. All are thread-safe; with a NULL model the integer
 * getters return -1 and the string getters "". */
BALLAST_API int32_t ballast_model_n_vocab(const ballast_model *model);     /* tokens in the vocabulary */
BALLAST_API int32_t ballast_model_n_ctx_train(const ballast_model *model); /* training context (informational: sessions stream past it) */
BALLAST_API int32_t ballast_model_n_layer(const ballast_model *model);
BALLAST_API int32_t ballast_model_n_embd(const ballast_model *model);      /* model width */
BALLAST_API const char *ballast_model_architecture(const ballast_model *model); /* "llama", "qwen2", "qwen3" */
BALLAST_API const char *ballast_model_name(const ballast_model *model);   /* general.name, may be "" */
BALLAST_API int32_t ballast_model_bos_token(const ballast_model *model);  /* -1 if the vocabulary has none */
BALLAST_API int32_t ballast_model_eos_token(const ballast_model *model);  /* -1 if none */
BALLAST_API int32_t ballast_model_eot_token(const ballast_model *model);  /* end of turn, -1 if none */
/* Sink slots the model declares it was trained with (ballast.sink_slots), 0 if none. */
BALLAST_API int32_t ballast_model_declared_sink_slots(const ballast_model *model);
/* True where generation should stop: EOS, EOT and end-of-turn tokens such as
 * "<|im_end|>". False for a NULL model or an out-of-range id. */
BALLAST_API bool ballast_model_is_end_of_generation(const ballast_model *model, int32_t token);

/* ------------------------------------------------------------------------ */
/* Tokenizer helpers (model-level, thread-safe)                              */
/* ------------------------------------------------------------------------ */

/* Text (any bytes; need not be NUL-terminated) to token ids.
 *   add_special:   add BOS/EOS as the vocabulary's add_bos/add_eos flags say
 *   parse_special: control tokens written in the text ("<|im_end|>", "<s>")
 *                  become their ids instead of being tokenized as text
 * text may be NULL only when text_len is 0. tokens may be NULL when
 * capacity is 0 (to ask for the count). On success *n_tokens is the count
 * written. If capacity is too small, returns BALLAST_ERROR_BUFFER_TOO_SMALL,
 * sets *n_tokens to the count needed and leaves tokens untouched. */
BALLAST_API ballast_status ballast_tokenize(const ballast_model *model, const char *text, size_t text_len,
                                            bool add_special, bool parse_special, int32_t *tokens,
                                            size_t capacity, size_t *n_tokens);

/* The bytes one token stands for (a piece may be part of a UTF-8 character).
 * render_special: control tokens give their text instead of nothing.
 * Writes the piece and a terminating NUL; *n_bytes = piece length without
 * the NUL. Needs capacity >= length + 1, else BUFFER_TOO_SMALL with
 * *n_bytes = the length (buf untouched). Token outside [0, n_vocab):
 * OUT_OF_RANGE. */
BALLAST_API ballast_status ballast_token_to_piece(const ballast_model *model, int32_t token, bool render_special,
                                                  char *buf, size_t capacity, size_t *n_bytes);

/* Whole-sequence decode, as llama.cpp's detokenize: pieces concatenated
 * (raw bytes, not UTF-8-checked); a SentencePiece vocabulary's leading space
 * is dropped when the first token carries it (not after a BOS). Same buffer
 * contract as ballast_token_to_piece; an id outside [0, n_vocab) gives
 * OUT_OF_RANGE. tokens may be NULL when n_tokens is 0. */
BALLAST_API ballast_status ballast_detokenize(const ballast_model *model, const int32_t *tokens, size_t n_tokens,
                                              bool render_special, char *buf, size_t capacity, size_t *n_bytes);

/* ------------------------------------------------------------------------ */
/* Sessions                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct ballast_session ballast_session;

typedef enum ballast_kv_type {
  BALLAST_KV_F16 = 0, /* 2 bytes per element (default) */
  BALLAST_KV_F32 = 1  /* 4 bytes per element */
} ballast_kv_type;

typedef enum ballast_cache_mode {
  BALLAST_CACHE_SINK = 0,     /* sinks + rolling window: the StreamingLLM default */
  BALLAST_CACHE_WINDOW = 1,   /* rolling window only (sinks must be -1 or 0) */
  BALLAST_CACHE_DENSE = 2,    /* no eviction: feeding past sinks + window fails with OUT_OF_RANGE */
  BALLAST_CACHE_RECOMPUTE = 3 /* rebuild the window from its tokens every step (slow quality baseline) */
} ballast_cache_mode;

/* Which code runs the matrix products of prefill chunks (decode always runs
 * Ballast's own kernels). The BALLAST_PREFILL environment variable
 * (auto|native|onednn|xnnpack), when set, overrides this field. */
typedef enum ballast_prefill_backend {
  BALLAST_PREFILL_AUTO = 0,    /* per matrix shape, the policy measured in docs/PERFORMANCE.md (default) */
  BALLAST_PREFILL_NATIVE = 1,  /* Ballast's own kernels only */
  BALLAST_PREFILL_ONEDNN = 2,  /* oneDNN wherever it supports the weight type (else native) */
  BALLAST_PREFILL_XNNPACK = 3  /* XNNPACK wherever it supports the weight type (else native) */
} ballast_prefill_backend;

/* Sampling applied by ballast_session_sample() and ballast_session_generate(),
 * in this order: repetition penalty, top-k, top-p, min-p, temperature
 * (llama.cpp's meanings and defaults). */
typedef struct ballast_sampling_params {
  /* Softmax temperature; 0 = greedy (highest logit, lowest id on ties).
   * Finite, >= 0. Default: 0.8. */
  float temperature;
  /* Keep the k most likely tokens; 0 = off. >= 0. Default: 40. */
  int32_t top_k;
  /* Nucleus: keep the smallest most-likely-first set whose probability
   * reaches top_p; 1 = off. In [0, 1]. Default: 0.95. */
  float top_p;
  /* Drop tokens less likely than min_p times the most likely one; 0 = off.
   * In [0, 1]. Default: 0.05. */
  float min_p;
  /* Divide (positive logits) or multiply (negative logits) by this for each
   * distinct token in the last repeat_last_n cached tokens; 1 = off. > 0.
   * Default: 1.0. */
  float repeat_penalty;
  /* Tokens (most recent cached ones) the penalty looks at; 0 = off,
   * -1 = every cached token. >= -1. Default: 64. */
  int32_t repeat_last_n;
  /* Random seed: the same seed, model and input give the same tokens on
   * every platform. Default: 0x5eed. */
  uint64_t seed;
} ballast_sampling_params;

typedef struct ballast_session_params {
  /* Attention-sink KV slots, never evicted. -1 = the model's declared sink
   * slots if it has them, else 4 (the paper's default). -1..64.
   * Default: -1. */
  int32_t sinks;
  /* Rolling-window KV slots for the most recent tokens (sinks excluded).
   * Memory grows linearly with it. 1..16777216. Default: 2044. */
  uint32_t window;
  /* Worker threads (each gets its own scratch in the arena). 1..256.
   * Default: 1. */
  uint32_t threads;
  /* Most tokens processed per prefill chunk when feeding; larger is faster
   * for long prompts and costs activation memory. 1..4096. Default: 64. */
  uint32_t batch;
  /* KV cache element type. Default: BALLAST_KV_F16. */
  ballast_kv_type kv_type;
  /* Cache behaviour. Default: BALLAST_CACHE_SINK. */
  ballast_cache_mode mode;
  /* mlock() the whole arena so it is never swapped; session creation fails
   * (OUT_OF_MEMORY, message names RLIMIT_MEMLOCK) if it cannot be locked.
   * Default: false. */
  bool lock_memory;
  /* Try huge pages for the arena (explicit, else transparent); falls back
   * to ordinary pages silently. Default: false. */
  bool huge_pages;
  /* ballast_session_generate() keeps going past end-of-generation tokens
   * (EOS, EOT, ...) instead of stopping there. Default: false. */
  bool ignore_eos;
  /* Sampling parameters (see above). */
  ballast_sampling_params sampling;
  /* Prefill matrix products. Default: BALLAST_PREFILL_AUTO. */
  ballast_prefill_backend prefill_backend;
  /* Copy weight matrices whose kernels use an interleaved layout (Q4_0 and
   * Q8_0 on x86 with AVX2 or AVX-512) into that layout in the arena when
   * the session starts: faster decode, the file's pages of those matrices
   * are dropped, the arena grows by about their size. false keeps reading
   * the file's mapping. The BALLAST_REPACK environment variable (0|1), when
   * set, overrides this field. Default: true. */
  bool repack_weights;
} ballast_session_params;

/* Defaults for every field above. Thread-safe. */
BALLAST_API ballast_sampling_params ballast_sampling_default_params(void);
BALLAST_API ballast_session_params ballast_session_default_params(void);

/* Bytes the session's arena would take with these params (the memory plan),
 * without allocating anything. params may be NULL (defaults). Thread-safe. */
BALLAST_API ballast_status ballast_session_plan_bytes(const ballast_model *model, const ballast_session_params *params,
                                                      uint64_t *out_bytes);

/* Plans every byte the session will use (KV sinks + window, activations,
 * scratch, logits, sampler), reserves it once and carves it; feeding and
 * generating never allocate afterwards (except ballast_session_feed_text's
 * tokenization). params may be NULL (defaults). On failure *out_session is
 * NULL: INVALID_ARGUMENT for a bad field (message names it),
 * OUT_OF_MEMORY with "... needs N bytes ..., missing K" when the machine
 * lacks the memory. The model must outlive the session. Thread-safe with
 * respect to the model. */
BALLAST_API ballast_status ballast_session_create(const ballast_model *model, const ballast_session_params *params,
                                                  ballast_session **out_session);

/* Releases the arena. NULL is a no-op. Not concurrently with any other call
 * on the same session. */
BALLAST_API void ballast_session_free(ballast_session *session);

/* Message of this session's most recent failed call ("" if none). Valid
 * until the session's next failing call or its free. NULL session: "".
 * Same thread rule as the session's other calls. */
BALLAST_API const char *ballast_session_last_error(const ballast_session *session);

/* Tokenizes text (as ballast_tokenize) and feeds the tokens through the
 * cache. Pass add_special = true for the first text of a stream (adds BOS).
 * Allocates a temporary token list. Text that gives no tokens feeds nothing
 * and succeeds. Session functions from here on: one thread at a time per
 * session; different sessions may be used concurrently. */
BALLAST_API ballast_status ballast_session_feed_text(ballast_session *session, const char *text, size_t text_len,
                                                     bool add_special, bool parse_special);

/* Feeds tokens through the cache, in chunks of up to params.batch; once
 * sinks + window tokens are cached, each new token evicts the oldest
 * non-sink one. Ids outside [0, n_vocab): OUT_OF_RANGE before anything is
 * fed. Dense mode past its capacity: OUT_OF_RANGE, nothing fed. Afterwards
 * the logits are the last token's. Never allocates. */
BALLAST_API ballast_status ballast_session_feed_tokens(ballast_session *session, const int32_t *tokens,
                                                       size_t n_tokens);

/* Logits after the last fed token: *out_logits points to n_vocab floats
 * owned by the session, valid until the next feed/generate/reset/free.
 * INVALID_STATE if nothing was fed since creation or reset. out_n_vocab may
 * be NULL. */
BALLAST_API ballast_status ballast_session_logits(const ballast_session *session, const float **out_logits,
                                                  int32_t *out_n_vocab);

/* Samples the next token from the current logits with the session's
 * sampling params (the repetition penalty sees the cached tokens). Does not
 * feed it: pass it to ballast_session_feed_tokens to continue. INVALID_STATE
 * if nothing was fed yet. Never allocates. */
BALLAST_API ballast_status ballast_session_sample(ballast_session *session, int32_t *out_token);

/* Called once per generated token: piece is the text that token completes
 * (NUL-terminated, len bytes, always whole UTF-8 characters, so len may be
 * 0 while a character is still incomplete); token is its id. Valid only
 * during the call. Return 0 to continue, nonzero to stop. */
typedef int (*ballast_token_callback)(const char *piece, size_t len, int32_t token, void *user_data);

typedef enum ballast_stop_reason {
  BALLAST_STOP_MAX_TOKENS = 0,        /* max_tokens were generated */
  BALLAST_STOP_END_OF_GENERATION = 1, /* the model produced EOS/EOT (not reported, not fed) */
  BALLAST_STOP_CALLBACK = 2,          /* the callback returned nonzero */
  BALLAST_STOP_ERROR = 3              /* a call failed; see the returned status */
} ballast_stop_reason;

typedef struct ballast_generate_result {
  uint64_t n_tokens;               /* tokens reported to the callback (all of them fed) */
  ballast_stop_reason stop_reason;
} ballast_generate_result;

/* Generates from the current state: sample a token, report it to the
 * callback, feed it; repeat. Stops after max_tokens tokens (-1 = no limit),
 * at an end-of-generation token unless params.ignore_eos (that token is not
 * reported nor fed), or when the callback returns nonzero (the token it was
 * given is fed first, so the next generate continues from it). With
 * max_tokens = -1 and ignore_eos it runs until the callback stops it, in the
 * same fixed memory. callback may be NULL (tokens are generated silently);
 * result may be NULL. An incomplete UTF-8 character at the end is completed
 * by the next generate call; feed/reset discard it. Does not allocate.
 * INVALID_STATE if nothing was fed yet. */
BALLAST_API ballast_status ballast_session_generate(ballast_session *session, int64_t max_tokens,
                                                    ballast_token_callback callback, void *user_data,
                                                    ballast_generate_result *result);

typedef struct ballast_session_stats {
  uint64_t arena_bytes;         /* bytes reserved at creation (fixed for the session's life) */
  uint32_t sink_slots;          /* sink slots in use (after resolving -1 and the mode) */
  uint32_t window;              /* window slots */
  uint64_t tokens_seen;         /* tokens fed through the cache since creation/reset */
  uint64_t evictions;           /* window tokens evicted */
  uint32_t cached_tokens;       /* tokens in the cache now (<= sink_slots + window) */
  uint64_t prefill_tokens;      /* tokens processed in chunks of more than one */
  double prefill_seconds;
  double prefill_tokens_per_second; /* 0 when nothing was prefilled */
  uint64_t decode_tokens;       /* tokens processed one at a time */
  double decode_seconds;
  double decode_tokens_per_second;  /* 0 when nothing was decoded */
} ballast_session_stats;

/* Fills *out_stats. Timings accumulate over the session's life (reset keeps
 * them); token counts restart at reset. */
BALLAST_API ballast_status ballast_session_get_stats(const ballast_session *session, ballast_session_stats *out_stats);

/* Empties the cache: the next feed starts a new stream (add BOS again). The
 * arena is kept; nothing is allocated or freed. */
BALLAST_API ballast_status ballast_session_reset(ballast_session *session);

#ifdef __cplusplus
}
#endif

#endif /* BALLAST_H */
