// The llama-family forward pass (llama, qwen2, qwen3) over the StreamingLLM
// cache. It owns nothing: weights are views into the mapped file, buffers are
// arena regions, the cache is the session's. It never allocates.
//
// One call runs a chunk of n tokens (n = 1 for decode, up to the plan's
// batch for prefill) layer by layer: projections are batched matmuls over the
// chunk; attention gives each token of the chunk, in order, the cache as it
// holds that token and the ones before it (so a chunk longer than the window
// streams through eviction exactly like single-token decode would). Two
// orders, same bits:
//   per token:  store K/V, rotate q, attend; next token (any chunk);
//   chunk:      store all n tokens' K/V and rotate their queries, then attend
//               all n at once, (token, heads) items spread over the pool --
//               only when storing the later tokens changes nothing an earlier
//               one reads (SinkRingCache::chunk_keeps_views: no eviction, no
//               rebase or sink re-rotation inside the chunk).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernels/dispatch/kernel_table.h"
#include "runtime/activation_layout.h"
#include "runtime/backends/prefill_policy.h"
#include "runtime/engine/attention_observer.h"
#include "runtime/engine/forward_profile.h"
#include "runtime/engine/linear_op.h"
#include "runtime/engine/model.h"
#include "runtime/kv_cache/sink_ring_cache.h"
#include "runtime/threading/thread_pool.h"

namespace ballast {

struct ForwardBuffers {
  float *activations = nullptr;       // the plan's `activations` region (activation_layout)
  uint8_t *converted = nullptr;       // `activations_converted`: [batch][<= 2 * widest] bytes
  float *attention_scratch = nullptr; // `thread_scratch`: threads x [attention_scratch_stride] f32
  uint64_t attention_scratch_floats = 0;  // scores one thread may use
  uint64_t attention_scratch_stride = 0;  // floats from one thread's scratch to the next (0: one thread)
  uint32_t max_batch = 0;
  uint32_t threads = 1;               // the pool ForwardPass::create starts (the caller counts as one)
  // Prefill backends (runtime/backends/): the session's choice, its backend
  // set (nullptr when every projection is native) and the plan's
  // `prefill_backend_scratch` region carved by carve_prefill_scratch().
  PrefillBackendChoice prefill_choice = PrefillBackendChoice::native;
  PrefillBackendSet *prefill_backends = nullptr;
  PrefillScratch prefill_scratch;
  // The plan's `repacked_weights` region (ForwardPass::repacked_weight_bytes
  // bytes): create() copies every weight matrix whose kernels have a repacked
  // variant into it. nullptr: every matmul runs on the file's bytes.
  uint8_t *repacked_weights = nullptr;
  uint64_t repacked_weight_bytes = 0;
};

struct LayerOps {
  LinearOp wq, wk, wv, wo, gate, up, down;
};

class ForwardPass {
 public:
  static Result<ForwardPass> create(const Model &model, SinkRingCache *cache, const ForwardBuffers &buffers);

  // Runs tokens[0..n) (already registered with cache->begin_token) through
  // the model. Logits: when all_rows, logits[i][n_vocab] for every token of the
  // chunk; otherwise logits[n_vocab] for the last token only.
  Status run(const int32_t *tokens, uint32_t n, float *logits, bool all_rows);

  // True if `choice` routes any projection of `model` to a prefill backend
  // (then the plan needs the backend scratch: PlanInputs::prefill_backend).
  // `repack`: whether the session repacks weights (automatic routing keeps
  // repacked projections native).
  static bool uses_prefill_backend(const Model &model, PrefillBackendChoice choice, uint32_t max_batch, bool repack);
  // Bytes of the `repacked_weights` region for `model` with the host's
  // kernels (each matrix 64-byte aligned); 0 when no kernel repacks.
  static Result<uint64_t> repacked_weight_bytes(const Model &model);
  // "q q4_0 2048x2048: native, ..., down q4_0 2048x5632: onednn bf16" (layer 0 and output).
  std::string describe_prefill_routes() const;

  // Per-op wall times are added to `profile` (nullptr, the default: off).
  void set_profile(ForwardProfile *profile) { profile_ = profile; }

  // Diagnostics only (ballast attention): every query is also shown to
  // `observer`; nullptr (the default) turns it off.
  void set_attention_observer(AttentionObserver *observer) { observer_ = observer; }

  // Tests and A/B measurements: false makes every chunk attend token by token
  // (the chunk order is on by default; both give the same bits).
  void set_chunk_attention(bool on) { chunk_attention_ = on; }
  // Layer chunks that attended in the chunk order so far (tests check that a
  // case really ran it).
  uint64_t chunk_attention_runs() const { return chunk_attention_runs_; }

 private:
  ForwardPass() = default;
  Status attention_block(uint32_t layer, uint32_t n);
  Status ffn_block(uint32_t layer, uint32_t n);
  Status route_prefill(const ForwardBuffers &buffers);
  Status repack_weights(const ForwardBuffers &buffers);
  template <typename F>
  void for_each_op(F f);
  Status attend(const float *q, const KvLayerView &view, float *out);
  Status attend_chunk(uint32_t layer, uint64_t first, uint32_t n, const float *q, float *out);
  Status project(ForwardOp kind, const LinearOp &op, const float *in, uint32_t n, float *out);
  // Several projections of one input (q/k/v, gate/up) in one pool region
  // (linear_shared_input).
  Status project_shared(ForwardOp kind, const LinearOp *const *ops, float *const *outs, int n_ops, const float *in,
                        uint32_t n);

  const Model *model_ = nullptr;
  SinkRingCache *cache_ = nullptr;
  ForwardBuffers buffers_;
  ActivationLayout layout_;
  AttentionShape attention_shape_;
  std::vector<LayerOps> layers_;  // built once at create(), read-only afterwards
  LinearOp output_;
  const KernelTable *kernels_ = nullptr;  // the dispatch table (rms_norm, silu_mul, add)
  std::unique_ptr<ThreadPool> pool_;     // started at create(); splits matmul rows and attention heads
  ForwardProfile *profile_ = nullptr;    // per-op timing (ballast bench), null in normal runs
  AttentionObserver *observer_ = nullptr;  // diagnostics hook, null in normal runs
  bool chunk_attention_ = true;           // chunk order where the cache allows it (attention_block)
  uint64_t chunk_attention_runs_ = 0;
};

}  // namespace ballast
