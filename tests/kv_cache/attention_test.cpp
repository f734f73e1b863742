#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kernels/attention/attention.h"
#include "kernels/quant/float16.h"

using namespace ballast;

namespace {

// K/V slots for a test, in f32 and as f16 bits (both views of the same values
// when `round_to_f16` is set, so either dtype has the same exact answer).
struct Slots {
  uint32_t n = 0;
  std::vector<float> k, v;        // [n][n_head_kv][head_dim]
  std::vector<uint16_t> k16, v16;
};

Slots make_slots(std::mt19937 &rng, uint32_t n, const AttentionShape &s, float key_scale) {
  std::normal_distribution<float> dist(0.0f, 1.0f);
  Slots slots;
  slots.n = n;
  slots.k.resize(size_t{n} * s.n_head_kv * s.head_dim_k);
  slots.v.resize(size_t{n} * s.n_head_kv * s.head_dim_v);
  for (float &x : slots.k) x = f16_to_f32(f32_to_f16(dist(rng) * key_scale));
  for (float &x : slots.v) x = f16_to_f32(f32_to_f16(dist(rng)));
  for (float x : slots.k) slots.k16.push_back(f32_to_f16(x));
  for (float x : slots.v) slots.v16.push_back(f32_to_f16(x));
  return slots;
}

// Plain two-pass softmax attention in double over slots in order.
std::vector<double> reference_attention(const AttentionShape &s, const std::vector<float> &q, const std::vector<const Slots *> &parts,
                                        std::vector<std::vector<double>> *probabilities) {
  const uint32_t group = s.n_head / s.n_head_kv;
  std::vector<double> out(size_t{s.n_head} * s.head_dim_v, 0.0);
  if (probabilities) probabilities->assign(s.n_head, {});
  for (uint32_t h = 0; h < s.n_head; ++h) {
    const uint32_t kv = h / group;
    std::vector<double> scores;
    std::vector<const float *> values;
    for (const Slots *p : parts) {
      for (uint32_t i = 0; i < p->n; ++i) {
        const float *k = p->k.data() + (size_t{i} * s.n_head_kv + kv) * s.head_dim_k;
        double dot = 0.0;
        for (uint32_t d = 0; d < s.head_dim_k; ++d) dot += double{q[size_t{h} * s.head_dim_k + d]} * k[d];
        scores.push_back(dot * s.scale);
        values.push_back(p->v.data() + (size_t{i} * s.n_head_kv + kv) * s.head_dim_v);
      }
    }
    double max_score = -INFINITY, sum = 0.0;
    for (double x : scores) max_score = std::fmax(max_score, x);
    for (double &x : scores) sum += (x = std::exp(x - max_score));
    for (size_t i = 0; i < scores.size(); ++i) {
      scores[i] /= sum;
      for (uint32_t d = 0; d < s.head_dim_v; ++d) out[size_t{h} * s.head_dim_v + d] += scores[i] * values[i][d];
    }
    if (probabilities) (*probabilities)[h] = scores;
  }
  return out;
}

double relative_error(const std::vector<float> &got, const std::vector<double> &expected) {
  double max_diff = 0.0, max_ref = 0.0;
  for (size_t i = 0; i < got.size(); ++i) {
    max_diff = std::fmax(max_diff, std::fabs(got[i] - expected[i]));
    max_ref = std::fmax(max_ref, std::fabs(expected[i]));
  }
  return max_diff / max_ref;
}

}  // namespace

TEST_CASE("attention over segments matches a double reference: GQA, f32/f16, any block size, probe") {
  std::mt19937 rng(42);
  struct Case {
    uint32_t n_head, n_head_kv, dk, dv;
    uint32_t seg[3];
    float key_scale;  // larger = peakier softmax
  } cases[] = {{4, 2, 16, 16, {3, 5, 2}, 1.0f},  {8, 1, 8, 12, {1, 0, 6}, 3.0f}, {3, 3, 64, 64, {0, 33, 0}, 0.5f},
               {6, 2, 32, 16, {4, 1, 1}, 8.0f}, {2, 2, 4, 4, {1, 0, 0}, 1.0f}};
  for (const Case &cs : cases) {
    for (TensorType type : {TensorType::f32, TensorType::f16}) {
      AttentionShape shape{cs.n_head, cs.n_head_kv, cs.dk, cs.dv, attention_default_scale(cs.dk), type};
      Slots parts[3];
      std::vector<const Slots *> part_list;
      KvSegment segments[3];
      uint32_t n_segments = 0, total = 0;
      for (int s = 0; s < 3; ++s) {
        parts[s] = make_slots(rng, cs.seg[s], shape, cs.key_scale);
        part_list.push_back(&parts[s]);
        const bool f32 = type == TensorType::f32;
        segments[n_segments++] = KvSegment{f32 ? static_cast<const void *>(parts[s].k.data()) : parts[s].k16.data(),
                                           f32 ? static_cast<const void *>(parts[s].v.data()) : parts[s].v16.data(),
                                           cs.seg[s]};
        total += cs.seg[s];
      }
      std::normal_distribution<float> dist(0.0f, 1.0f);
      std::vector<float> q(size_t{cs.n_head} * cs.dk);
      for (float &x : q) x = dist(rng);
      std::vector<std::vector<double>> expected_p;
      const std::vector<double> expected = reference_attention(shape, q, part_list, &expected_p);
      for (size_t scratch_floats : {size_t{1}, size_t{3}, size_t{64}}) {
        CAPTURE(scratch_floats);
        std::vector<float> out(size_t{cs.n_head} * cs.dv), scratch(scratch_floats), probs(total, -1.0f);
        AttentionProbe probe{cs.n_head - 1, probs.data()};
        REQUIRE(attend_one_query(shape, q.data(), segments, n_segments, out.data(), scratch.data(), scratch.size(), &probe).is_ok());
        CHECK(relative_error(out, expected) < 1e-5);
        double sum = 0.0;
        for (uint32_t i = 0; i < total; ++i) {
          CHECK(probs[i] == doctest::Approx(expected_p[cs.n_head - 1][i]).epsilon(1e-5).scale(1.0));
          sum += probs[i];
        }
        CHECK(sum == doctest::Approx(1.0).epsilon(1e-5));
      }
    }
  }
}

TEST_CASE("attention online softmax is stable for huge scores and picks the dominant slot") {
  std::mt19937 rng(9);
  AttentionShape shape{2, 1, 8, 8, 1.0f, TensorType::f32};
  Slots slots = make_slots(rng, 20, shape, 1.0f);
  std::vector<float> q(16, 0.0f);
  // Key 13 aligned with a large query: scores ~ 1e4 would overflow exp() without the running max.
  for (uint32_t d = 0; d < 8; ++d) {
    q[d] = 1000.0f * slots.k[13 * 8 + d];
    q[8 + d] = 1000.0f * slots.k[2 * 8 + d];
  }
  KvSegment segment{slots.k.data(), slots.v.data(), 20};
  std::vector<float> out(16), scratch(4);
  REQUIRE(attend_one_query(shape, q.data(), &segment, 1, out.data(), scratch.data(), scratch.size(), nullptr).is_ok());
  for (uint32_t d = 0; d < 8; ++d) {
    CHECK(std::isfinite(out[d]));
    CHECK(out[d] == doctest::Approx(slots.v[13 * 8 + d]).epsilon(1e-4));
    CHECK(out[8 + d] == doctest::Approx(slots.v[2 * 8 + d]).epsilon(1e-4));
  }
}

TEST_CASE("attention rejects bad shapes, no slots, no scratch, bad probe, unsupported KV type") {
  std::vector<float> k(8, 0.0f), v(8, 0.0f), q(16, 0.0f), out(16), scratch(4), probs(1);
  KvSegment segment{k.data(), v.data(), 1};
  AttentionShape shape{2, 1, 8, 8, 1.0f, TensorType::f32};
  CHECK(attend_one_query(shape, q.data(), &segment, 1, out.data(), scratch.data(), 4, nullptr).is_ok());
  KvSegment empty{k.data(), v.data(), 0};
  CHECK(attend_one_query(shape, q.data(), &empty, 1, out.data(), scratch.data(), 4, nullptr).code() == StatusCode::invalid_argument);
  CHECK_FALSE(attend_one_query(shape, q.data(), &segment, 1, out.data(), nullptr, 0, nullptr).is_ok());
  AttentionProbe probe{2, probs.data()};
  CHECK_FALSE(attend_one_query(shape, q.data(), &segment, 1, out.data(), scratch.data(), 4, &probe).is_ok());
  AttentionShape bad = shape;
  bad.n_head_kv = 3;
  CHECK_FALSE(attend_one_query(bad, q.data(), &segment, 1, out.data(), scratch.data(), 4, nullptr).is_ok());
  bad = shape;
  bad.kv_type = TensorType::q8_0;
  CHECK(attend_one_query(bad, q.data(), &segment, 1, out.data(), scratch.data(), 4, nullptr).message().find("not supported") !=
        std::string::npos);
}

TEST_CASE("attention split over head ranges equals all heads at once") {
  std::mt19937 rng(21);
  AttentionShape shape{6, 3, 16, 8, attention_default_scale(16), TensorType::f16};
  Slots a = make_slots(rng, 9, shape, 1.0f), b = make_slots(rng, 4, shape, 1.0f);
  KvSegment segments[2] = {{a.k16.data(), a.v16.data(), 9}, {b.k16.data(), b.v16.data(), 4}};
  std::vector<float> q(6 * 16);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  for (float &x : q) x = dist(rng);
  std::vector<float> whole(6 * 8), split(6 * 8, -1.0f), scratch(5), probs(13, -1.0f);
  REQUIRE(attend_one_query(shape, q.data(), segments, 2, whole.data(), scratch.data(), 5, nullptr).is_ok());
  AttentionProbe probe{4, probs.data()};
  REQUIRE(attend_one_query_heads(shape, 0, 1, q.data(), segments, 2, split.data(), scratch.data(), 5, &probe).is_ok());
  CHECK(probs[0] == -1.0f);  // head 4 not in [0, 1): probe untouched
  REQUIRE(attend_one_query_heads(shape, 1, 4, q.data(), segments, 2, split.data(), scratch.data(), 5, &probe).is_ok());
  REQUIRE(attend_one_query_heads(shape, 4, 6, q.data(), segments, 2, split.data(), scratch.data(), 5, &probe).is_ok());
  CHECK(whole == split);
  CHECK(probs[0] >= 0.0f);
  CHECK_FALSE(attend_one_query_heads(shape, 4, 7, q.data(), segments, 2, split.data(), scratch.data(), 5, nullptr).is_ok());
}
