#include "runtime/memory_plan.h"

#include "runtime/activation_layout.h"
#include "runtime/backends/backend_linear.h"

#include <cstdio>

namespace ballast {
namespace {

constexpr uint32_t kMaxSinkSlots = 64;

// Overflow-checked accumulation of a product of sizes.
class SizeCalculator {
 public:
  uint64_t mul(std::initializer_list<uint64_t> factors) {
    uint64_t product = 1;
    for (uint64_t f : factors) {
      if (f != 0 && product > UINT64_MAX / f) {
        overflow_ = true;
        return 0;
      }
      product *= f;
    }
    return product;
  }
  uint64_t add(uint64_t a, uint64_t b) {
    if (a > UINT64_MAX - b) {
      overflow_ = true;
      return 0;
    }
    return a + b;
  }
  bool overflowed() const { return overflow_; }

 private:
  bool overflow_ = false;
};

uint64_t round_up(uint64_t bytes) { return (bytes + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment; }


}  // namespace

const char *kv_type_name(KvType type) { return type == KvType::f16 ? "f16" : "f32"; }
size_t kv_type_bytes(KvType type) { return type == KvType::f16 ? 2 : 4; }

Result<KvType> parse_kv_type(std::string_view name) {
  if (name == "f16") return KvType::f16;
  if (name == "f32") return KvType::f32;
  return make_status(StatusCode::invalid_argument, "unknown KV type '%.*s' (expected f16 or f32)",
                     static_cast<int>(name.size()), name.data());
}

const PlanRegion *MemoryPlan::find(std::string_view name) const {
  for (const PlanRegion &r : regions) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

Result<MemoryPlan> plan_memory(const ModelConfig &m, const PlanInputs &in) {
  if (in.sink_slots > kMaxSinkSlots) {
    return make_status(StatusCode::invalid_argument, "sink slots %u exceed the maximum of %u", in.sink_slots, kMaxSinkSlots);
  }
  if (in.window == 0) return make_status(StatusCode::invalid_argument, "window must be at least 1 slot");
  if (in.threads == 0 || in.threads > 256) return make_status(StatusCode::invalid_argument, "threads must be in 1..256, got %u", in.threads);
  if (in.max_prefill_batch == 0 || in.max_prefill_batch > 4096) {
    return make_status(StatusCode::invalid_argument, "max prefill batch must be in 1..4096, got %u", in.max_prefill_batch);
  }
  if (in.logit_rows == 0 || in.logit_rows > in.max_prefill_batch) {
    return make_status(StatusCode::invalid_argument, "logit rows must be in 1..max prefill batch (%u), got %u",
                       in.max_prefill_batch, in.logit_rows);
  }

  // Per-token widths are products of two u32 fields; beyond 2^40 elements no
  // real model exists and batch multiples could wrap, so refuse them here.
  constexpr uint64_t kMaxWidth = uint64_t{1} << 40;
  if (m.q_width() > kMaxWidth || m.kv_width_k() > kMaxWidth || m.kv_width_v() > kMaxWidth ||
      uint64_t{m.n_head} * m.head_dim_v > kMaxWidth) {
    return make_status(StatusCode::invalid_argument, "memory plan overflows: per-token widths exceed 2^40 elements");
  }

  SizeCalculator calc;
  const uint64_t kv_elem = kv_type_bytes(in.kv_type);
  const uint64_t kv_per_token = calc.mul({m.n_layer, calc.add(m.kv_width_k(), m.kv_width_v()), kv_elem});
  const uint64_t capacity = static_cast<uint64_t>(in.sink_slots) + in.window;
  const uint64_t batch = in.max_prefill_batch;

  MemoryPlan plan;
  plan.inputs = in;
  char detail[256];
  auto add_region = [&](const char *name, uint64_t bytes) {
    plan.regions.push_back(PlanRegion{name, round_up(bytes), 0, detail});
  };

  std::snprintf(detail, sizeof detail, "%u layers x %u sink slots x (K %llu + V %llu) x %s", m.n_layer, in.sink_slots,
                static_cast<unsigned long long>(m.kv_width_k()), static_cast<unsigned long long>(m.kv_width_v()),
                kv_type_name(in.kv_type));
  add_region("kv_sinks", calc.mul({kv_per_token, in.sink_slots}));

  std::snprintf(detail, sizeof detail, "%u layers x %u ring slots x (K %llu + V %llu) x %s", m.n_layer, in.window,
                static_cast<unsigned long long>(m.kv_width_k()), static_cast<unsigned long long>(m.kv_width_v()),
                kv_type_name(in.kv_type));
  add_region("kv_ring", calc.mul({kv_per_token, in.window}));

  std::snprintf(detail, sizeof detail, "%u layers x %u sink slots x K %llu x %s (sink keys rotated for the current step)",
                m.n_layer, in.sink_slots, static_cast<unsigned long long>(m.kv_width_k()), kv_type_name(in.kv_type));
  add_region("kv_sink_keys_rotated", calc.mul({m.n_layer, in.sink_slots, m.kv_width_k(), kv_elem}));

  std::snprintf(detail, sizeof detail, "token id + stream index per slot: %llu slots x 16 B",
                static_cast<unsigned long long>(capacity));
  add_region("kv_slot_table", calc.mul({capacity, 16}));

  // Per-layer stored-token counters, then RoPE cos/sin tables for the query,
  // a rebase delta and each sink position: f32 [S + 2][rope_dim / 2][2].
  const uint64_t rope_dim = m.rope_dim != 0 ? m.rope_dim : m.head_dim_k;
  std::snprintf(detail, sizeof detail, "u64 [%u layers] + f32 cos/sin [%u + 2][%llu]", m.n_layer, in.sink_slots,
                static_cast<unsigned long long>(rope_dim));
  add_region("kv_rope_state", calc.add(calc.mul({m.n_layer, 8}), calc.mul({in.sink_slots + uint64_t{2}, rope_dim, 4})));

  // Activations for one prefill chunk of `batch` tokens (decode uses row 0),
  // laid out by activation_layout() (the engine carves with the same function).
  // Overflow: every width is < 2^32 and batch <= 4096, so the layout's sums fit.
  const ActivationLayout layout = activation_layout(m, batch);
  std::snprintf(detail, sizeof detail, "f32 x, xb, xb2, q, k, v, attn_out, ffn gate/up for a batch of %u tokens",
                in.max_prefill_batch);
  add_region("activations", calc.mul({layout.total_floats, 4}));

  // Activations converted to what each weight type's dot product reads
  // (f16/bf16 rows, or Q8_0/Q8_1/Q8_K blocks): at most 2 bytes per element.
  const uint64_t widest = widest_activation_row(m);
  std::snprintf(detail, sizeof detail, "converted activations [%u rows][%llu elements] x <= 2 B", in.max_prefill_batch,
                static_cast<unsigned long long>(widest));
  add_region("activations_converted", calc.mul({batch, widest, 2}));

  // Prefill backends multiply converted weights: each thread a slice of rows
  // dequantized (f32 or bf16) at a time, the bf16 input rows and one f32 row
  // per thread (runtime/backends/backend_linear.h). Zero when every
  // projection is native.
  std::snprintf(detail, sizeof detail, "%s", in.prefill_backend
                    ? "backend weight slice 1 MiB x threads + bf16 input [batch][widest] + f32 row [threads][widest]"
                    : "no prefill backend");
  add_region("prefill_backend_scratch",
             in.prefill_backend ? prefill_scratch_bytes(kPrefillSliceBytes, in.max_prefill_batch, widest, in.threads)
                                : 0);

  std::snprintf(detail, sizeof detail, "f32 [%u rows][%u vocab]", in.logit_rows, m.n_vocab);
  add_region("logits", calc.mul({in.logit_rows, m.n_vocab, 4}));

  // Per thread: attention scores over the whole cache (one block of slots).
  std::snprintf(detail, sizeof detail, "%u threads x f32 attention scores [%llu]", in.threads,
                static_cast<unsigned long long>(capacity));
  add_region("thread_scratch", calc.mul({in.threads, round_up(calc.mul({capacity, 4}))}));

  // Token ids of the cache plus the incoming token: `recompute` mode rebuilds
  // the cache from them every step.
  std::snprintf(detail, sizeof detail, "i32 token ids [%llu]", static_cast<unsigned long long>(capacity + 1));
  add_region("token_scratch", calc.mul({capacity + 1, 4}));

  std::snprintf(detail, sizeof detail, "probabilities f32 + candidate ids i32 [%u vocab]", m.n_vocab);
  add_region("sampler", calc.mul({m.n_vocab, 8}));

  std::snprintf(detail, sizeof detail, "weights repacked for SIMD kernels");
  add_region("repacked_weights", in.repacked_weight_bytes);

  uint64_t offset = 0;
  for (PlanRegion &r : plan.regions) {
    r.offset = offset;
    offset = calc.add(offset, r.bytes);
  }
  if (calc.overflowed()) return make_status(StatusCode::invalid_argument, "memory plan overflows 64-bit sizes");
  plan.total_bytes = offset;
  return plan;
}

std::string format_bytes(uint64_t bytes) {
  char buf[64];
  if (bytes < 1024) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  } else if (bytes < 1024ull * 1024) {
    std::snprintf(buf, sizeof buf, "%.2f KiB", bytes / 1024.0);
  } else if (bytes < 1024ull * 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.2f MiB", bytes / (1024.0 * 1024));
  } else {
    std::snprintf(buf, sizeof buf, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
  }
  return buf;
}

std::string format_memory_plan(const MemoryPlan &plan) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "memory plan: %u sinks + %u window slots, %s KV, %u threads, prefill batch %u\n",
                plan.inputs.sink_slots, plan.inputs.window, kv_type_name(plan.inputs.kv_type), plan.inputs.threads,
                plan.inputs.max_prefill_batch);
  out += line;
  std::snprintf(line, sizeof line, "  %-22s %14s %12s  %s\n", "region", "bytes", "", "shape");
  out += line;
  for (const PlanRegion &r : plan.regions) {
    std::snprintf(line, sizeof line, "  %-22s %14llu %12s  %s\n", r.name.c_str(), static_cast<unsigned long long>(r.bytes),
                  format_bytes(r.bytes).c_str(), r.detail.c_str());
    out += line;
  }
  std::snprintf(line, sizeof line, "  %-22s %14llu %12s  reserved once at session creation\n", "total",
                static_cast<unsigned long long>(plan.total_bytes), format_bytes(plan.total_bytes).c_str());
  out += line;
  return out;
}

}  // namespace ballast
