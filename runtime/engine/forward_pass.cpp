#include "runtime/engine/forward_pass.h"

#include <atomic>
#include <cstdio>
#include <string>

#include "kernels/activation/silu_mul_scalar.h"
#include "kernels/elementwise/add_scalar.h"
#include "kernels/embedding/embedding_scalar.h"
#include "kernels/norm/rms_norm_scalar.h"
#include "platform/file_mapping.h"

namespace ballast {
namespace {

PrefillShape prefill_shape(const WeightView &w, uint32_t max_batch) {
  PrefillShape s;
  s.type = w.type;
  s.rows = static_cast<int64_t>(w.rows);
  s.cols = static_cast<int64_t>(w.cols);
  s.max_batch = max_batch;
  return s;
}

template <typename F>
void for_each_projection_weight(const Model &model, F f) {
  for (const LayerWeights &w : model.weights.layers) {
    for (const WeightView *v : {&w.wq, &w.wk, &w.wv, &w.wo, &w.ffn_gate, &w.ffn_up, &w.ffn_down}) f(*v);
  }
  f(model.weights.output);
}

// Only pages of the model's read-only file mapping may be dropped (a model
// built in memory, as some tests do, would lose its bytes).
bool inside_file_mapping(const Model &model, const void *data, uint64_t bytes) {
  if (model.file == nullptr) return false;
  const FileMapping &m = model.file->mapping();
  const uint8_t *p = static_cast<const uint8_t *>(data);
  return m.is_open() && p >= m.data() && bytes <= m.size() && p - m.data() <= static_cast<ptrdiff_t>(m.size() - bytes);
}

// Attention with fewer head x slot pairs than this runs on the calling
// thread alone: ~40 us of work on one Zen 4 core, where a thread-pool region
// costs microseconds (attend(), attend_chunk()).
constexpr uint64_t kMinHeadSlotsToSplit = 4096;

constexpr uint64_t kRepackAlign = 64;
uint64_t align_repacked(uint64_t n) { return (n + kRepackAlign - 1) / kRepackAlign * kRepackAlign; }

// Whether automatic prefill routing leaves `w` native because the session
// runs it on a repacked copy (the backends would read the file's bytes again).
bool runs_repacked(const WeightView &w, bool repack) {
  if (!repack) return false;
  Result<LinearOp> op = bind_linear(w, "weight");
  return op.is_ok() && linear_repacked_bytes(op.value()) > 0;
}

}  // namespace

template <typename F>
void ForwardPass::for_each_op(F f) {
  for (LayerOps &ops : layers_) {
    for (LinearOp *op : {&ops.wq, &ops.wk, &ops.wv, &ops.wo, &ops.gate, &ops.up, &ops.down}) f(*op);
  }
  f(output_);
}

Result<uint64_t> ForwardPass::repacked_weight_bytes(const Model &model) {
  uint64_t total = 0;
  Status status = Status::ok();
  for_each_projection_weight(model, [&](const WeightView &w) {
    Result<LinearOp> op = bind_linear(w, "weight");
    if (!op.is_ok()) {
      if (status.is_ok()) status = op.status();
      return;
    }
    total += align_repacked(static_cast<uint64_t>(linear_repacked_bytes(op.value())));
  });
  if (!status.is_ok()) return status;
  return total;
}

// Copies the matrices with repacked kernels into the region, one after
// another, dropping the file pages they were read from as it goes (the
// matmuls no longer read them, a tied embedding reads its rows from the copy,
// and a forced prefill backend faults back what it needs).
Status ForwardPass::repack_weights(const ForwardBuffers &buffers) {
  if (buffers.repacked_weights == nullptr) return Status::ok();
  // What stays read from the file is scattered (embedding rows, norm
  // vectors): with 2 MiB page-cache folios mapped whole, each such read would
  // put 2 MiB into RSS (measured: 46 MiB for TinyLlama's embedding and norms).
  if (model_->file != nullptr) (void)model_->file->mapping().advise(MappingAdvice::no_huge_pages);
  uint64_t offset = 0;
  Status status = Status::ok();
  for_each_op([&](LinearOp &op) {
    const uint64_t bytes = static_cast<uint64_t>(linear_repacked_bytes(op));
    if (bytes == 0 || !status.is_ok()) return;
    status = repack_linear(&op, buffers.repacked_weights + offset,
                           static_cast<int64_t>(buffers.repacked_weight_bytes - offset),
                           inside_file_mapping(*model_, op.weight->data, bytes));
    offset += align_repacked(bytes);
  });
  return status;
}

Result<ForwardPass> ForwardPass::create(const Model &model, SinkRingCache *cache, const ForwardBuffers &buffers) {
  ForwardPass f;
  f.model_ = &model;
  f.cache_ = cache;
  f.buffers_ = buffers;
  if (buffers.threads > 1 && buffers.attention_scratch_stride < buffers.attention_scratch_floats) {
    return make_status(StatusCode::invalid_argument, "forward pass: %u threads need a per-thread scratch stride",
                       buffers.threads);
  }
  BALLAST_ASSIGN_OR_RETURN(f.kernels_, host_kernel_table());
  BALLAST_ASSIGN_OR_RETURN(f.pool_, ThreadPool::create(buffers.threads));
  const ModelConfig &c = model.config;
  f.layout_ = activation_layout(c, buffers.max_batch);
  f.attention_shape_.n_head = c.n_head;
  f.attention_shape_.n_head_kv = c.n_head_kv;
  f.attention_shape_.head_dim_k = c.head_dim_k;
  f.attention_shape_.head_dim_v = c.head_dim_v;
  f.attention_shape_.scale = attention_default_scale(c.head_dim_k);
  f.attention_shape_.kv_type = cache->kv_tensor_type();
  f.layers_.resize(c.n_layer);
  for (uint32_t i = 0; i < c.n_layer; ++i) {
    const LayerWeights &w = model.weights.layers[i];
    LayerOps &ops = f.layers_[i];
    const std::string p = "blk." + std::to_string(i) + ".";
    BALLAST_ASSIGN_OR_RETURN(ops.wq, bind_linear(w.wq, (p + "attn_q").c_str()));
    BALLAST_ASSIGN_OR_RETURN(ops.wk, bind_linear(w.wk, (p + "attn_k").c_str()));
    BALLAST_ASSIGN_OR_RETURN(ops.wv, bind_linear(w.wv, (p + "attn_v").c_str()));
    BALLAST_ASSIGN_OR_RETURN(ops.wo, bind_linear(w.wo, (p + "attn_output").c_str()));
    BALLAST_ASSIGN_OR_RETURN(ops.gate, bind_linear(w.ffn_gate, (p + "ffn_gate").c_str()));
    BALLAST_ASSIGN_OR_RETURN(ops.up, bind_linear(w.ffn_up, (p + "ffn_up").c_str()));
    BALLAST_ASSIGN_OR_RETURN(ops.down, bind_linear(w.ffn_down, (p + "ffn_down").c_str()));
  }
  BALLAST_ASSIGN_OR_RETURN(f.output_, bind_linear(model.weights.output, "output"));
  BALLAST_RETURN_IF_ERROR(f.repack_weights(buffers));
  BALLAST_RETURN_IF_ERROR(f.route_prefill(buffers));
  return f;
}

bool ForwardPass::uses_prefill_backend(const Model &model, PrefillBackendChoice choice, uint32_t max_batch,
                                       bool repack) {
  bool any = false;
  for_each_projection_weight(model, [&](const WeightView &w) {
    if (choice == PrefillBackendChoice::automatic && runs_repacked(w, repack)) return;
    any = any || choose_prefill_route(choice, prefill_shape(w, max_batch)).kind != PrefillBackendKind::native;
  });
  return any;
}

// Every LinearOp gets the backend the policy routes its shape to (created
// here, at creation time), or none.
Status ForwardPass::route_prefill(const ForwardBuffers &buffers) {
  auto route = [&](LinearOp &op) -> Status {
    if (op.repacked != nullptr && buffers.prefill_choice == PrefillBackendChoice::automatic) return Status::ok();
    const PrefillRoute r = choose_prefill_route(buffers.prefill_choice, prefill_shape(*op.weight, buffers.max_batch));
    if (r.kind == PrefillBackendKind::native) return Status::ok();
    if (buffers.prefill_backends == nullptr || buffers.prefill_scratch.weights == nullptr) {
      return make_status(StatusCode::internal, "prefill route to %s without backends or scratch", prefill_backend_name(r.kind));
    }
    BALLAST_ASSIGN_OR_RETURN(op.prefill_backend, buffers.prefill_backends->get(r.kind, r.operand));
    op.prefill_min_batch = r.min_batch < 2 ? 2 : r.min_batch;
    return Status::ok();
  };
  for (LayerOps &ops : layers_) {
    for (LinearOp *op : {&ops.wq, &ops.wk, &ops.wv, &ops.wo, &ops.gate, &ops.up, &ops.down}) {
      BALLAST_RETURN_IF_ERROR(route(*op));
    }
  }
  return route(output_);
}

std::string ForwardPass::describe_prefill_routes() const {
  std::string text;
  auto add = [&](const char *name, const LinearOp &op) {
    const WeightView &w = *op.weight;
    char line[160];
    const PrefillBackend *b = op.prefill_backend;
    char batch_note[32] = "";
    if (b != nullptr && op.prefill_min_batch > 2) std::snprintf(batch_note, sizeof batch_note, " from %u tokens", op.prefill_min_batch);
    std::snprintf(line, sizeof line, "%s%s %s %llux%llu: %s%s%s", text.empty() ? "" : ", ", name,
                  tensor_type_info(w.type)->name, static_cast<unsigned long long>(w.rows),
                  static_cast<unsigned long long>(w.cols),
                  b != nullptr ? prefill_backend_name(b->kind()) : op.repacked != nullptr ? op.repacked->layout : "native",
                  b != nullptr && b->operand() == PrefillOperand::bf16 ? " bf16" : "", batch_note);
    text += line;
  };
  if (!layers_.empty()) {
    const LayerOps &ops = layers_[0];
    add("q", ops.wq);
    add("k", ops.wk);
    add("v", ops.wv);
    add("o", ops.wo);
    add("gate", ops.gate);
    add("up", ops.up);
    add("down", ops.down);
  }
  add("output", output_);
  return text;
}

Status ForwardPass::attention_block(uint32_t layer, uint32_t n) {
  const ModelConfig &c = model_->config;
  const LayerWeights &w = model_->weights.layers[layer];
  const LayerOps &ops = layers_[layer];
  float *act = buffers_.activations;
  float *x = act + layout_.x, *xb = act + layout_.xb, *xb2 = act + layout_.xb2;
  float *q = act + layout_.q, *k = act + layout_.k, *v = act + layout_.v, *attn_out = act + layout_.attn_out;
  const int64_t q_width = static_cast<int64_t>(c.q_width());
  const int64_t k_width = static_cast<int64_t>(c.kv_width_k());
  const int64_t v_width = static_cast<int64_t>(c.kv_width_v());
  const int64_t out_width = int64_t{c.n_head} * c.head_dim_v;

  kernels_->rms_norm_rows(x, w.attn_norm.f32(), xb, n, c.n_embd, c.rms_norm_eps);
  {
    const LinearOp *qkv[3] = {&ops.wq, &ops.wk, &ops.wv};
    float *const outs[3] = {q, k, v};
    BALLAST_RETURN_IF_ERROR(project_shared(ForwardOp::qkv_matmul, qkv, outs, 3, xb, n));
  }
  if (w.bq.present()) add_bias_scalar(q, w.bq.f32(), n, q_width);
  if (w.bk.present()) add_bias_scalar(k, w.bk.f32(), n, k_width);
  if (w.bv.present()) add_bias_scalar(v, w.bv.f32(), n, v_width);
  if (w.q_norm.present()) kernels_->rms_norm_rows(q, w.q_norm.f32(), q, int64_t{n} * c.n_head, c.head_dim_k, c.rms_norm_eps);
  if (w.k_norm.present()) kernels_->rms_norm_rows(k, w.k_norm.f32(), k, int64_t{n} * c.n_head_kv, c.head_dim_k, c.rms_norm_eps);

  // Chunk order (see forward_pass.h): stores and query rotations stay
  // serial and in token order (they mutate the cache: RoPE tables, sink
  // re-rotation) and give the per-token order's bits (store_chunk, which
  // also rotates the sinks once per chunk, not per token); then one pool
  // region attends all n tokens. The observer wants the per-token order.
  if (n > 1 && chunk_attention_ && observer_ == nullptr && cache_->chunk_keeps_views(layer, n)) {
    const uint64_t first = cache_->layer_next(layer);
    BALLAST_RETURN_IF_ERROR(cache_->store_chunk(layer, n, k, static_cast<size_t>(k_width), v,
                                                static_cast<size_t>(v_width), q, static_cast<size_t>(q_width), c.n_head));
    ForwardProfileScope scope(profile_, ForwardOp::attention);
    BALLAST_RETURN_IF_ERROR(attend_chunk(layer, first, n, q, attn_out));
    ++chunk_attention_runs_;
    BALLAST_RETURN_IF_ERROR(project(ForwardOp::wo_matmul, ops.wo, attn_out, n, xb2));
    kernels_->add(x, xb2, x, int64_t{n} * c.n_embd);
    return Status::ok();
  }
  for (uint32_t i = 0; i < n; ++i) {
    float *q_i = q + i * q_width;
    BALLAST_RETURN_IF_ERROR(cache_->store_layer(layer, k + i * k_width, v + i * v_width));
    BALLAST_RETURN_IF_ERROR(cache_->rotate_query(layer, q_i, c.n_head));
    BALLAST_ASSIGN_OR_RETURN(KvLayerView view, cache_->layer_view(layer));
    ForwardProfileScope scope(profile_, ForwardOp::attention);
    BALLAST_RETURN_IF_ERROR(attend(q_i, view, attn_out + i * out_width));
    if (observer_ != nullptr) observer_->on_query(layer, q_i, view, attention_shape_);
  }
  BALLAST_RETURN_IF_ERROR(project(ForwardOp::wo_matmul, ops.wo, attn_out, n, xb2));
  kernels_->add(x, xb2, x, int64_t{n} * c.n_embd);
  return Status::ok();
}

// One projection, timed into the profile when one is attached.
Status ForwardPass::project(ForwardOp kind, const LinearOp &op, const float *in, uint32_t n, float *out) {
  ForwardProfileScope scope(profile_, kind);
  return linear(op, in, n, out, buffers_.converted, pool_.get(), &buffers_.prefill_scratch);
}

// Projections of the same input: converted once, one pool region for all
// (the same bits as one project() each: linear_shared_input).
Status ForwardPass::project_shared(ForwardOp kind, const LinearOp *const *ops, float *const *outs, int n_ops,
                                   const float *in, uint32_t n) {
  ForwardProfileScope scope(profile_, kind);
  return linear_shared_input(ops, outs, n_ops, in, n, buffers_.converted, pool_.get(), &buffers_.prefill_scratch);
}

// All heads of one query; with several threads, each takes a run of query
// heads (as even as the head count allows: SmolLM2's 9 heads split 5:4, not
// 6:3 as whole GQA groups would) and its own slice of the scratch. A head's
// result does not depend on which heads share its call (attention.h), so any
// thread count gives the one-thread bits.
//
// A query over few slots (prefill's first tokens: 1, 2, 3, ... slots) runs on
// the calling thread alone: a thread-pool region costs microseconds, more
// than such a query's whole work; the bits are the same either way.
Status ForwardPass::attend(const float *q, const KvLayerView &view, float *out) {
  const uint64_t head_slots = uint64_t{view.total_slots} * attention_shape_.n_head;
  const uint32_t threads = head_slots < kMinHeadSlotsToSplit ? 1 : pool_->threads();
  if (threads == 1) {
    return kernels_->attend_heads(attention_shape_, 0, attention_shape_.n_head, q, view.segments, view.n_segments, out,
                                  buffers_.attention_scratch, buffers_.attention_scratch_floats, nullptr);
  }
  Status first_error = Status::ok();
  std::atomic<bool> failed{false};
  auto task = [&](uint32_t t) {
    int64_t begin = 0, end = 0;
    split_range(attention_shape_.n_head, threads, t, 1, &begin, &end);
    if (begin >= end) return;
    Status status = kernels_->attend_heads(attention_shape_, static_cast<uint32_t>(begin), static_cast<uint32_t>(end),
                                           q, view.segments, view.n_segments, out,
                                           buffers_.attention_scratch + t * buffers_.attention_scratch_stride,
                                           buffers_.attention_scratch_floats, nullptr);
    if (!status.is_ok() && !failed.exchange(true)) first_error = status;
  };
  pool_->run(threads, task);
  return first_error;
}

// The chunk's n queries (q [n][n_head][head_dim_k], rotated; tokens
// first..first+n-1, all stored) attend at once, each over its own causal
// view (layer_view_at: what the per-token order gave it). Work items are
// (token, run of heads), handed out heaviest first (the last token sees the
// most slots) from a shared counter, so the threads stay busy to the end;
// each pool task keeps its own scratch slice for all the items it takes. A
// head's result depends only on the shape, its KV data and the scratch size
// (attention.h), so who computes which item changes no bit. A chunk with
// little work in all runs on the calling thread (same threshold as attend()).
Status ForwardPass::attend_chunk(uint32_t layer, uint64_t first, uint32_t n, const float *q, float *out) {
  const ModelConfig &c = model_->config;
  const int64_t q_width = static_cast<int64_t>(c.q_width());
  const int64_t out_width = int64_t{c.n_head} * c.head_dim_v;
  const uint32_t n_head = attention_shape_.n_head;
  // Slots seen by the chunk's last query; the first sees n - 1 fewer.
  BALLAST_ASSIGN_OR_RETURN(KvLayerView last_view, cache_->layer_view_at(layer, first + n - 1));
  const uint64_t slots = uint64_t{n} * last_view.total_slots - uint64_t{n} * (n - 1) / 2;
  const uint32_t threads = slots * n_head < kMinHeadSlotsToSplit ? 1 : pool_->threads();
  // Whole tokens per item when there are enough of them to balance;
  // otherwise each token's heads are split too.
  const uint32_t parts = n >= 4 * threads ? 1 : (threads < n_head ? threads : n_head);
  const uint32_t items = n * parts;
  std::atomic<uint32_t> next_item{0};
  Status first_error = Status::ok();
  std::atomic<bool> failed{false};
  auto task = [&](uint32_t t) {
    float *scratch = buffers_.attention_scratch + t * buffers_.attention_scratch_stride;
    for (uint32_t item = next_item.fetch_add(1, std::memory_order_relaxed); item < items;
         item = next_item.fetch_add(1, std::memory_order_relaxed)) {
      if (failed.load(std::memory_order_relaxed)) return;
      const uint32_t i = n - 1 - item / parts;
      int64_t begin = 0, end = 0;
      split_range(n_head, parts, item % parts, 1, &begin, &end);
      if (begin >= end) continue;
      Status status = Status::ok();
      Result<KvLayerView> view = cache_->layer_view_at(layer, first + i);
      if (view.is_ok()) {
        status = kernels_->attend_heads(attention_shape_, static_cast<uint32_t>(begin), static_cast<uint32_t>(end),
                                        q + i * q_width, view->segments, view->n_segments, out + i * out_width, scratch,
                                        buffers_.attention_scratch_floats, nullptr);
      } else {
        status = view.status();
      }
      if (!status.is_ok() && !failed.exchange(true)) first_error = status;
    }
  };
  if (threads == 1) {
    task(0);
  } else {
    pool_->run(threads, task);
  }
  return first_error;
}

Status ForwardPass::ffn_block(uint32_t layer, uint32_t n) {
  const ModelConfig &c = model_->config;
  const LayerOps &ops = layers_[layer];
  float *act = buffers_.activations;
  float *x = act + layout_.x, *xb = act + layout_.xb, *xb2 = act + layout_.xb2;
  float *gate = act + layout_.gate, *up = act + layout_.up;
  kernels_->rms_norm_rows(x, model_->weights.layers[layer].ffn_norm.f32(), xb, n, c.n_embd, c.rms_norm_eps);
  {
    const LinearOp *gate_up[2] = {&ops.gate, &ops.up};
    float *const outs[2] = {gate, up};
    BALLAST_RETURN_IF_ERROR(project_shared(ForwardOp::ffn_matmul, gate_up, outs, 2, xb, n));
  }
  kernels_->silu_mul(gate, up, gate, int64_t{n} * c.n_ff);
  BALLAST_RETURN_IF_ERROR(project(ForwardOp::ffn_matmul, ops.down, gate, n, xb2));
  kernels_->add(x, xb2, x, int64_t{n} * c.n_embd);
  return Status::ok();
}

Status ForwardPass::run(const int32_t *tokens, uint32_t n, float *logits, bool all_rows) {
  if (n == 0 || n > buffers_.max_batch) {
    return make_status(StatusCode::invalid_argument, "forward chunk of %u tokens (batch is 1..%u)", n, buffers_.max_batch);
  }
  const ModelConfig &c = model_->config;
  const WeightView &embd = model_->weights.token_embd;
  float *x = buffers_.activations + layout_.x;
  // A tied output matrix that was repacked holds the embedding table too:
  // read the rows there, so the file's pages of it are not faulted back in.
  const bool tied_repacked = output_.repacked != nullptr && output_.weight->data == embd.data &&
                             output_.repacked->dequantize_row != nullptr;
  for (uint32_t i = 0; i < n; ++i) {
    if (tied_repacked) {
      if (tokens[i] < 0 || static_cast<uint32_t>(tokens[i]) >= c.n_vocab) {
        return make_status(StatusCode::out_of_range, "token %d outside the vocabulary [0, %u)", tokens[i], c.n_vocab);
      }
      output_.repacked->dequantize_row(output_.matmul_weights, static_cast<int64_t>(output_.weight->rows),
                                       static_cast<int64_t>(output_.weight->cols), tokens[i], x + int64_t{i} * c.n_embd);
      continue;
    }
    BALLAST_RETURN_IF_ERROR(embedding_row_scalar(embd.type, embd.data, c.n_vocab, c.n_embd, tokens[i],
                                                 x + int64_t{i} * c.n_embd));
  }
  for (uint32_t l = 0; l < c.n_layer; ++l) {
    BALLAST_RETURN_IF_ERROR(attention_block(l, n));
    BALLAST_RETURN_IF_ERROR(ffn_block(l, n));
  }
  const uint32_t first = all_rows ? 0 : n - 1;
  const uint32_t rows = n - first;
  float *xb = buffers_.activations + layout_.xb;
  kernels_->rms_norm_rows(x + int64_t{first} * c.n_embd, model_->weights.output_norm.f32(), xb, rows, c.n_embd,
                       c.rms_norm_eps);
  return project(ForwardOp::output_matmul, output_, xb, rows, logits);
}

}  // namespace ballast
