// ballast-attention-bench: times the decode attention (one query token, all
// heads, over a full f16 cache) of every variant this build compiled and
// this CPU runs, one thread, on random data. One "token" attends over
// LAYERS separate caches of SLOTS slots each, as a model's layers do, so
// with many layers the KV streams from memory and with one it sits in cache.
//
// usage: ballast-attention-bench [--only VARIANT] [SLOTS [HEADS [KV_HEADS [HEAD_DIM [LAYERS [REPEATS]]]]]]
//   defaults: 2048 9 3 64 30 20 (SmolLM2-135M with a 4 + 2044 cache);
//   TinyLlama: 2048 32 4 64 22; --only times one variant (e.g. under perf)
// Prints, per variant: the median and best time per token and ns per
// (query head, slot), and the KV bytes per token over the median time.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "kernels/attention/attention.h"
#include "kernels/attention/attention_arm.h"
#include "kernels/attention/attention_x86.h"
#include "kernels/dispatch/kernel_table.h"
#include "kernels/dispatch/kernel_variants.h"
#include "kernels/quant/float16.h"
#include "platform/cpu_features.h"

using namespace ballast;

namespace {

struct Variant {
  const char *name;
  KernelTable::AttendHeadsFn attend;
};

std::vector<Variant> runnable_variants() {
  std::vector<Variant> variants{{"scalar", attend_one_query_heads}};
  auto add = [&](const char *name, IsaLevel level, KernelTable::AttendHeadsFn attend) {
    if (kernel_variant_compiled(level) && cpu_supports_isa_level(host_cpu_features(), level)) {
      variants.push_back({name, attend});
    }
  };
  add("avx2", IsaLevel::avx2, attend_one_query_heads_avx2);
  add("avx512", IsaLevel::avx512, attend_one_query_heads_avx512);
  add("neon", IsaLevel::neon, attend_one_query_heads_neon);
  return variants;
}

uint32_t arg(int argc, char **argv, int i, uint32_t fallback) {
  return argc > i ? static_cast<uint32_t>(std::strtoul(argv[i], nullptr, 10)) : fallback;
}

}  // namespace

int main(int argc, char **argv) {
  std::string only;  // --only VARIANT: time that variant alone (e.g. under perf)
  if (argc > 2 && std::string(argv[1]) == "--only") {
    only = argv[2];
    argv[2] = argv[0];
    argv += 2;
    argc -= 2;
  }
  if (argc > 1 && (std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help")) {
    std::printf("usage: %s [--only VARIANT] [SLOTS [HEADS [KV_HEADS [HEAD_DIM [LAYERS [REPEATS]]]]]]\n"
                "  defaults 2048 9 3 64 30 20 (SmolLM2-135M, full 4 + 2044 cache); TinyLlama: 2048 32 4 64 22\n",
                argv[0]);
    return 0;
  }
  const uint32_t slots = arg(argc, argv, 1, 2048), heads = arg(argc, argv, 2, 9), kv_heads = arg(argc, argv, 3, 3);
  const uint32_t dim = arg(argc, argv, 4, 64), layers = arg(argc, argv, 5, 30), repeats = arg(argc, argv, 6, 20);
  if (slots == 0 || heads == 0 || kv_heads == 0 || heads % kv_heads != 0 || dim == 0 || layers == 0 || repeats == 0) {
    std::fprintf(stderr, "bad arguments: SLOTS HEADS KV_HEADS HEAD_DIM LAYERS REPEATS must be positive, HEADS a "
                         "multiple of KV_HEADS (try --help)\n");
    return 2;
  }
  AttentionShape shape;
  shape.n_head = heads;
  shape.n_head_kv = kv_heads;
  shape.head_dim_k = shape.head_dim_v = dim;
  shape.scale = attention_default_scale(dim);
  shape.kv_type = TensorType::f16;
  const size_t layer_elements = size_t{slots} * kv_heads * dim;
  std::vector<uint16_t> keys(layer_elements * layers), values(layer_elements * layers);  // [layer][slot][kv][dim]
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (uint16_t &k : keys) k = f32_to_f16(normal(rng));
  for (uint16_t &v : values) v = f32_to_f16(normal(rng));
  std::vector<float> q(size_t{heads} * dim), out(q.size()), scratch(slots);
  for (float &v : q) v = normal(rng);
  const double kv_bytes = 2.0 * 2.0 * static_cast<double>(layer_elements) * layers;
  std::printf("%u slots, %u heads over %u KV heads, head dim %u, %u layers: %.1f MiB of f16 KV per token\n", slots,
              heads, kv_heads, dim, layers, kv_bytes / (1 << 20));
  std::printf("%-8s %12s %12s %16s %10s\n", "variant", "median ms", "best ms", "ns/(head,slot)", "KV GB/s");
  bool timed_any = false;
  for (const Variant &variant : runnable_variants()) {
    if (!only.empty() && only != variant.name) continue;
    timed_any = true;
    std::vector<double> ms;
    for (uint32_t r = 0; r < repeats; ++r) {
      const auto start = std::chrono::steady_clock::now();
      for (uint32_t l = 0; l < layers; ++l) {
        const KvSegment segment{keys.data() + l * layer_elements, values.data() + l * layer_elements, slots};
        Status status = variant.attend(shape, 0, heads, q.data(), &segment, 1, out.data(), scratch.data(),
                                       scratch.size(), nullptr);
        if (!status.is_ok()) {
          std::fprintf(stderr, "%s: %s\n", variant.name, status.to_string().c_str());
          return 1;
        }
      }
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    const double median = ms[ms.size() / 2];
    std::printf("%-8s %12.3f %12.3f %16.2f %10.2f\n", variant.name, median, ms.front(),
                median * 1e6 / (double(layers) * heads * slots), kv_bytes / (median * 1e-3) / 1e9);
  }
  if (!timed_any) {
    std::string names;
    for (const Variant &variant : runnable_variants()) names += std::string(" ") + variant.name;
    std::fprintf(stderr, "no runnable variant named '%s' on this CPU; runnable:%s\n", only.c_str(), names.c_str());
    return 2;
  }
  return 0;
}
