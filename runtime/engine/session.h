// A session: one endless stream through one model, in memory fixed at
// creation. create() plans every byte (runtime/memory_plan.h), reserves it
// once, carves the KV cache, activations, logits and sampler from it, and from
// then on feed()/sample() never allocate. A session is used by one thread at a
// time; many sessions may share one Model.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "platform/memory_reservation.h"
#include "runtime/arena.h"
#include "runtime/backends/prefill_backend.h"
#include "runtime/engine/forward_pass.h"
#include "runtime/engine/model.h"
#include "runtime/kv_cache/sink_ring_cache.h"
#include "runtime/memory_plan.h"
#include "runtime/sampler/sampler.h"

namespace ballast {

struct SessionParams {
  // Attention-sink slots, never evicted. -1 = the model's declared sink slots
  // (ballast.sink_slots) if it has them, else 4 (the paper's default).
  int32_t sinks = -1;
  uint32_t window = 2044;      // ring slots for the most recent tokens (excluding sinks)
  uint32_t threads = 1;        // worker threads (scratch is planned per thread)
  uint32_t batch = 64;         // max tokens per prefill chunk
  KvType kv_type = KvType::f16;
  KvCacheMode mode = KvCacheMode::sink;  // sink | window (S = 0) | dense | recompute
  bool all_logits = false;     // keep logits for every token of a feed() chunk (ballast logits)
  bool lock_memory = false;    // mlock the arena (fails if RLIMIT_MEMLOCK is too low)
  bool huge_pages = false;     // try huge pages for the arena
  // Prefill projections (chunks of >= 2 tokens): auto = the measured policy
  // (runtime/backends/prefill_policy.h), or native | onednn | xnnpack forced.
  // BALLAST_PREFILL overrides it. Decode is always native.
  PrefillBackendChoice prefill_backend = PrefillBackendChoice::automatic;
  // Copy the weight matrices whose fastest kernels read a repacked layout
  // (Q4_0 on x86: 8 rows interleaved) into the arena at creation, and drop
  // the file pages they came from. Costs the matrices' size in the arena
  // (per session) and a copy at start. BALLAST_REPACK=0|1 overrides it.
  bool repack_weights = true;
  SamplerParams sampling;
};

// `requested` unless BALLAST_REPACK is set (0 or 1; anything else is an error).
Result<bool> resolve_repack_weights(bool requested);

struct SessionStats {
  uint64_t arena_bytes = 0;     // reserved once at creation
  uint64_t tokens_seen = 0;     // tokens fed through the cache
  uint64_t evictions = 0;       // window tokens evicted
  uint32_t cached_tokens = 0;   // tokens in the cache now
  uint64_t prefill_tokens = 0;  // tokens processed in chunks of more than one
  int64_t prefill_ns = 0;
  uint64_t decode_tokens = 0;   // tokens processed one at a time
  int64_t decode_ns = 0;
};

class Session {
 public:
  static Result<std::unique_ptr<Session>> create(const Model &model, const SessionParams &params);

  // The memory plan create() would reserve for these parameters (nothing is
  // reserved): the one source of truth for ballast_session_plan_bytes().
  static Result<MemoryPlan> plan(const Model &model, const SessionParams &params);

  // Feeds tokens through the cache (chunks of up to `batch`). Afterwards
  // logits() holds the last token's logits. Dense mode refuses (out_of_range,
  // nothing changed) tokens that would exceed the capacity.
  Status feed(const int32_t *tokens, uint64_t n);

  // [n_vocab] logits after the last fed token.
  const float *logits() const { return last_logits_; }
  // all_logits mode: the rows of the last chunk feed() ran (row i = i-th token
  // of that chunk); use feed() with at most `batch` tokens to get them all.
  const float *logits_rows() const { return logits_; }
  uint32_t logits_row_count() const { return last_chunk_rows_; }

  // Samples the next token from logits() with the session's sampler (the
  // repetition penalty sees the tokens in the cache). Does not feed it.
  int32_t sample();

  // Empties the cache; the stream starts again (arena untouched).
  void reset();

  // Snapshots (for checkpoints and for undoing a speculative feed): the KV
  // cache regions, the cache counters, the stats and the last logits, as one
  // blob of state_bytes() bytes (fixed at creation). restore_state() accepts
  // only a blob from a session with the same model shape and cache config
  // (checked by the sizes recorded in it); it never allocates.
  uint64_t state_bytes() const;
  Status save_state(uint8_t *dst, uint64_t size) const;
  Status restore_state(const uint8_t *src, uint64_t size);

  const SessionStats &stats() const { return stats_; }
  const MemoryPlan &plan() const { return plan_; }
  const SinkRingCache &cache() const { return cache_.value(); }
  const Model &model() const { return *model_; }
  uint32_t sink_slots() const { return plan_.inputs.sink_slots; }
  const SessionParams &params() const { return params_; }
  // Benchmarks only (ballast bench): per-op times of the forward pass.
  void set_forward_profile(ForwardProfile *profile) { forward_.value().set_profile(profile); }
  // Which implementation each prefill projection uses (ballast info / bench).
  std::string prefill_routes() const { return forward_.value().describe_prefill_routes(); }
  // Diagnostics only (ballast attention): see runtime/engine/attention_observer.h.
  void set_attention_observer(AttentionObserver *observer) { forward_.value().set_attention_observer(observer); }
  // Tests and A/B runs: ForwardPass::set_chunk_attention (false: every chunk
  // attends token by token; same bits) and how many layer chunks used it.
  void set_chunk_attention(bool on) { forward_.value().set_chunk_attention(on); }
  uint64_t chunk_attention_runs() const { return forward_.value().chunk_attention_runs(); }

 private:
  Session() = default;
  Status run_chunk(const int32_t *tokens, uint32_t n);
  Status feed_recompute(int32_t token);

  const Model *model_ = nullptr;
  SessionParams params_;
  MemoryPlan plan_;
  MemoryReservation reservation_;
  Arena arena_;
  Result<SinkRingCache> cache_ = Status(StatusCode::internal, "no cache");
  std::unique_ptr<PrefillBackendSet> prefill_backends_;  // before forward_: outlives the ops that point into it
  Result<ForwardPass> forward_ = Status(StatusCode::internal, "no forward pass");
  Result<Sampler> sampler_ = Status(StatusCode::internal, "no sampler");
  float *logits_ = nullptr;        // [logit rows][n_vocab]
  float *last_logits_ = nullptr;   // row of logits_ for the last token fed
  uint32_t last_chunk_rows_ = 0;
  int32_t *token_scratch_ = nullptr;  // [capacity + 1]
  SessionStats stats_;
};

}  // namespace ballast
