// Every SIMD attention variant the CPU runs (AVX2, AVX-512, NEON) against the
// scalar reference: f16 and f32 KV, GQA groups of 1 to 16 (head sets of 1 to
// 6 and their remainders), head dims 8 / 16 / 48 / 64 / 72 / 80 / 128 (72:
// the AVX-512 wrapper's AVX2 body; 80: its 64-dim and 16-dim passes) and an
// odd one (12, which must fall back to scalar and match exactly), 1 to 2048
// slots over up to three segments, scratch blocks smaller than the slot
// count (so the online softmax rescales; 2048 holds attention_block_slots(),
// so the variants use their own blocks), head sub-ranges as threads use them.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
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

struct KvData {
  std::vector<float> keys_f32, values_f32;  // [slots][n_head_kv][dim]
  std::vector<uint16_t> keys_f16, values_f16;
};

KvData random_kv(uint32_t slots, uint32_t n_head_kv, uint32_t dim_k, uint32_t dim_v, std::mt19937 &rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  KvData kv;
  kv.keys_f32.resize(size_t{slots} * n_head_kv * dim_k);
  kv.values_f32.resize(size_t{slots} * n_head_kv * dim_v);
  for (float &v : kv.keys_f32) v = normal(rng);
  for (float &v : kv.values_f32) v = normal(rng);
  for (float v : kv.keys_f32) kv.keys_f16.push_back(f32_to_f16(v));
  for (float v : kv.values_f32) kv.values_f16.push_back(f32_to_f16(v));
  return kv;
}

struct AttentionVariant {
  const char *name;
  KernelTable::AttendHeadsFn attend;
};

// Every SIMD attention variant this build compiled and this CPU runs; the
// others are reported as skipped.
std::vector<AttentionVariant> runnable_attention_variants() {
  std::vector<AttentionVariant> variants;
  auto add = [&](const char *name, IsaLevel level, KernelTable::AttendHeadsFn attend) {
    if (!kernel_variant_compiled(level)) return;
    if (!cpu_supports_isa_level(host_cpu_features(), level)) {
      MESSAGE("skipped " << name << " attention: this CPU lacks " << isa_level_requirements(level));
      return;
    }
    variants.push_back({name, attend});
  };
  add("avx2", IsaLevel::avx2, attend_one_query_heads_avx2);
  add("avx512", IsaLevel::avx512, attend_one_query_heads_avx512);
  add("neon", IsaLevel::neon, attend_one_query_heads_neon);
  if (variants.empty()) MESSAGE("skipped SIMD attention: no attention variant runs on this CPU/build");
  return variants;
}

}  // namespace

TEST_CASE("the dispatch table's attention is the best runnable variant") {
  Result<KernelTable> table = build_kernel_table(best_isa_level(host_cpu_features()), host_cpu_features());
  REQUIRE(table.is_ok());
  const std::vector<AttentionVariant> variants = runnable_attention_variants();
  const std::string expected = variants.empty() ? "scalar" : variants.back().name;
  CHECK(std::string(table.value().attention_variant) == expected);
}

TEST_CASE("SIMD attention matches the scalar reference") {
  const std::vector<AttentionVariant> variants = runnable_attention_variants();
  std::mt19937 rng(42);
  struct Shape {
    uint32_t n_head, n_head_kv, dim;
  };
  // GQA groups of 1, 3 (SmolLM2), 4, 8 (TinyLlama) and 16 query heads per KV
  // head; thread splits in the middle of a group; scratch that holds fewer
  // slots than the group has heads (5), a few slots per head (16), all (2048).
  for (Shape sh : {Shape{4, 4, 64}, Shape{8, 2, 64}, Shape{4, 1, 128}, Shape{2, 2, 8}, Shape{4, 2, 12},
                   Shape{9, 3, 64}, Shape{32, 4, 64}, Shape{16, 1, 64}, Shape{6, 2, 72}, Shape{12, 2, 80},
                   Shape{14, 2, 48}, Shape{8, 8, 16}}) {
    for (uint32_t slots : {1u, 7u, 100u, 300u, 2048u}) {
      for (TensorType kv_type : {TensorType::f16, TensorType::f32}) {
        for (size_t scratch_floats : {size_t{5}, size_t{16}, size_t{2048}}) {
          // The small-scratch (rescaling) paths are covered up to 300 slots;
          // at 2048 only the variants' own blocks, which keeps the scalar
          // reference's share of this test (most of its time under qemu) down.
          if (slots == 2048 && scratch_floats != 2048) continue;
          AttentionShape shape;
          shape.n_head = sh.n_head;
          shape.n_head_kv = sh.n_head_kv;
          shape.head_dim_k = sh.dim;
          shape.head_dim_v = sh.dim;
          shape.scale = attention_default_scale(sh.dim);
          shape.kv_type = kv_type;
          const KvData kv = random_kv(slots, sh.n_head_kv, sh.dim, sh.dim, rng);
          const bool f16 = kv_type == TensorType::f16;
          const size_t elem = f16 ? 2 : 4;
          const uint8_t *keys = f16 ? reinterpret_cast<const uint8_t *>(kv.keys_f16.data())
                                    : reinterpret_cast<const uint8_t *>(kv.keys_f32.data());
          const uint8_t *values = f16 ? reinterpret_cast<const uint8_t *>(kv.values_f16.data())
                                      : reinterpret_cast<const uint8_t *>(kv.values_f32.data());
          // Up to three segments, as the cache hands over sinks + a wrapped ring.
          KvSegment segments[3];
          uint32_t n_segments = 0, at = 0;
          const uint32_t cuts[3] = {slots < 4 ? slots : 4, slots * 2 / 3, slots};
          for (uint32_t cut : cuts) {
            if (cut <= at) continue;
            const size_t row = size_t{sh.n_head_kv} * sh.dim * elem;
            segments[n_segments++] = KvSegment{keys + at * row, values + at * row, cut - at};
            at = cut;
          }
          std::normal_distribution<float> normal(0.0f, 2.0f);
          std::vector<float> q(size_t{sh.n_head} * sh.dim);
          for (float &v : q) v = normal(rng);
          std::vector<float> want(q.size(), 0.0f), got(q.size(), -1.0f), scratch(scratch_floats);
          REQUIRE(attend_one_query(shape, q.data(), segments, n_segments, want.data(), scratch.data(), scratch_floats,
                                   nullptr)
                      .is_ok());
          for (const AttentionVariant &variant : variants) {
            // Two head ranges, as two threads would split them.
            std::fill(got.begin(), got.end(), -1.0f);
            const uint32_t split = sh.n_head / 2;
            REQUIRE(variant.attend(shape, 0, split, q.data(), segments, n_segments, got.data(), scratch.data(),
                                   scratch_floats, nullptr)
                        .is_ok());
            REQUIRE(variant.attend(shape, split, sh.n_head, q.data(), segments, n_segments, got.data(), scratch.data(),
                                   scratch_floats, nullptr)
                        .is_ok());
            double max_diff = 0.0;
            for (size_t i = 0; i < want.size(); ++i) max_diff = std::fmax(max_diff, std::fabs(double{got[i]} - want[i]));
            CAPTURE(variant.name);
            CAPTURE(sh.n_head);
            CAPTURE(sh.n_head_kv);
            CAPTURE(sh.dim);
            CAPTURE(slots);
            CAPTURE(scratch_floats);
            CAPTURE(f16);
            if (sh.dim % 8 != 0) {
              CHECK(max_diff == 0.0);  // falls back to the reference itself
            } else {
              CHECK(max_diff <= 2e-5);  // values ~N(0,1): a convex combination, so |out| <~ 4
            }
          }
        }
      }
    }
  }
}

TEST_CASE("SIMD attention rejects what the scalar reference rejects") {
  AttentionShape shape;
  shape.n_head = 6;
  shape.n_head_kv = 4;  // not a divisor
  shape.head_dim_k = shape.head_dim_v = 64;
  shape.scale = 0.125f;
  float q[6 * 64] = {}, out[6 * 64] = {}, scratch[8] = {};
  uint16_t kv[4 * 64] = {};
  KvSegment segment{kv, kv, 1};
  CHECK_FALSE(attend_one_query_heads_avx2(shape, 0, 6, q, &segment, 1, out, scratch, 8, nullptr).is_ok());
  shape.n_head_kv = 2;
  CHECK_FALSE(attend_one_query_heads_avx2(shape, 0, 6, q, &segment, 0, out, scratch, 8, nullptr).is_ok());  // no slots
  CHECK_FALSE(attend_one_query_heads_avx2(shape, 4, 7, q, &segment, 1, out, scratch, 8, nullptr).is_ok());  // range
  CHECK_FALSE(attend_one_query_heads_avx2(shape, 0, 6, q, &segment, 1, out, nullptr, 0, nullptr).is_ok());  // scratch
}

TEST_CASE("NEON attention rejects what the scalar reference rejects") {
  AttentionShape shape;
  shape.n_head = 6;
  shape.n_head_kv = 4;  // not a divisor
  shape.head_dim_k = shape.head_dim_v = 64;
  shape.scale = 0.125f;
  float q[6 * 64] = {}, out[6 * 64] = {}, scratch[8] = {};
  uint16_t kv[4 * 64] = {};
  KvSegment segment{kv, kv, 1};
  CHECK_FALSE(attend_one_query_heads_neon(shape, 0, 6, q, &segment, 1, out, scratch, 8, nullptr).is_ok());
  shape.n_head_kv = 2;
  CHECK_FALSE(attend_one_query_heads_neon(shape, 0, 6, q, &segment, 0, out, scratch, 8, nullptr).is_ok());  // no slots
  CHECK_FALSE(attend_one_query_heads_neon(shape, 4, 7, q, &segment, 1, out, scratch, 8, nullptr).is_ok());  // range
  CHECK_FALSE(attend_one_query_heads_neon(shape, 0, 6, q, &segment, 1, out, nullptr, 0, nullptr).is_ok());  // scratch
}

// Threads split the query heads anywhere (ForwardPass::attend), so a head's
// result must not depend on the range its call covers: every split point, in
// the middle of a GQA group or not, gives the full call's bits.
TEST_CASE("attention gives every head the same bits whatever head range the call covers") {
  std::vector<AttentionVariant> variants{{"scalar", attend_one_query_heads}};
  for (const AttentionVariant &variant : runnable_attention_variants()) variants.push_back(variant);
  std::mt19937 rng(7);
  struct Shape {
    uint32_t n_head, n_head_kv, dim;
  };
  for (Shape sh : {Shape{9, 3, 64}, Shape{32, 4, 64}, Shape{12, 1, 16}, Shape{6, 2, 128}, Shape{14, 2, 80}}) {
    for (uint32_t slots : {3u, 77u, 300u}) {
      for (TensorType kv_type : {TensorType::f16, TensorType::f32}) {
        for (size_t scratch_floats : {size_t{16}, size_t{2048}}) {
          AttentionShape shape;
          shape.n_head = sh.n_head;
          shape.n_head_kv = sh.n_head_kv;
          shape.head_dim_k = shape.head_dim_v = sh.dim;
          shape.scale = attention_default_scale(sh.dim);
          shape.kv_type = kv_type;
          const KvData kv = random_kv(slots, sh.n_head_kv, sh.dim, sh.dim, rng);
          const bool f16 = kv_type == TensorType::f16;
          const void *keys = f16 ? static_cast<const void *>(kv.keys_f16.data()) : kv.keys_f32.data();
          const void *values = f16 ? static_cast<const void *>(kv.values_f16.data()) : kv.values_f32.data();
          const KvSegment segment{keys, values, slots};
          std::normal_distribution<float> normal(0.0f, 2.0f);
          std::vector<float> q(size_t{sh.n_head} * sh.dim);
          for (float &v : q) v = normal(rng);
          std::vector<float> scratch(scratch_floats);
          for (const AttentionVariant &variant : variants) {
            CAPTURE(variant.name);
            CAPTURE(sh.n_head);
            CAPTURE(sh.n_head_kv);
            CAPTURE(sh.dim);
            CAPTURE(slots);
            CAPTURE(f16);
            CAPTURE(scratch_floats);
            std::vector<float> whole(q.size(), 0.0f);
            REQUIRE(variant.attend(shape, 0, sh.n_head, q.data(), &segment, 1, whole.data(), scratch.data(),
                                   scratch_floats, nullptr)
                        .is_ok());
            bool all_same = true;
            for (uint32_t split = 1; split < sh.n_head; ++split) {
              std::vector<float> parts(q.size(), -1.0f);
              REQUIRE(variant.attend(shape, 0, split, q.data(), &segment, 1, parts.data(), scratch.data(),
                                     scratch_floats, nullptr)
                          .is_ok());
              REQUIRE(variant.attend(shape, split, sh.n_head, q.data(), &segment, 1, parts.data(), scratch.data(),
                                     scratch_floats, nullptr)
                          .is_ok());
              if (std::memcmp(parts.data(), whole.data(), whole.size() * sizeof(float)) != 0) {
                CAPTURE(split);
                all_same = false;
                CHECK(all_same);
              }
            }
            CHECK(all_same);
          }
        }
      }
    }
  }
}
