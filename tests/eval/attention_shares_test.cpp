// AttentionShares on hand-made cache views whose softmax is known in closed
// form, and through a real Session (the hook sees every layer of every token
// and changes nothing).
#include <cmath>
#include <vector>

#include <doctest/doctest.h>

#include "runtime/eval/attention_shares.h"
#include "tests/engine/engine_test_support.h"

using namespace ballast;
using namespace ballast::test;

namespace {

struct HandView {
  // 2 sink slots + 10 ring slots, 1 KV head, head_dim 4, f32.
  std::vector<float> sink_keys = std::vector<float>(2 * 4, 0.0f), sink_values = std::vector<float>(2 * 4, 0.0f);
  std::vector<float> ring_keys = std::vector<float>(10 * 4, 0.0f), ring_values = std::vector<float>(10 * 4, 0.0f);
  KvLayerView view() const {
    KvLayerView v;
    v.segments[0] = KvSegment{sink_keys.data(), sink_values.data(), 2};
    v.segments[1] = KvSegment{ring_keys.data(), ring_values.data(), 10};
    v.n_segments = 2;
    v.total_slots = 12;
    return v;
  }
};

ModelConfig hand_config() {
  ModelConfig c;
  c.n_layer = 1;
  c.n_head = 2;
  c.n_head_kv = 1;
  c.head_dim_k = 4;
  c.head_dim_v = 4;
  return c;
}

AttentionShape hand_shape() {
  AttentionShape s;
  s.n_head = 2;
  s.n_head_kv = 1;
  s.head_dim_k = 4;
  s.head_dim_v = 4;
  s.scale = 0.5f;
  s.kv_type = TensorType::f32;
  return s;
}

}  // namespace

TEST_CASE("a zero query attends uniformly: shares are slot counts over 12") {
  HandView hand;
  AttentionShares shares(hand_config(), 2, 4, 16);
  const float q[8] = {0};
  shares.on_query(0, q, hand.view(), hand_shape());
  REQUIRE(shares.status().is_ok());
  CHECK(shares.queries(0) == 1);
  for (uint32_t h = 0; h < 2; ++h) {
    const HeadShares s = shares.shares(0, h);
    CHECK(s.sinks == doctest::Approx(2.0 / 12));
    CHECK(s.recent == doctest::Approx(4.0 / 12));
    CHECK(s.middle == doctest::Approx(6.0 / 12));
    CHECK(s.first == doctest::Approx(1.0 / 12));
  }
}

TEST_CASE("one key aligned with the query gets e^score over the sum") {
  HandView hand;
  hand.sink_keys[0] = 1.0f;  // slot 0 key = (1, 0, 0, 0)
  AttentionShares shares(hand_config(), 2, 4, 16);
  const float q[8] = {2, 0, 0, 0, 0, 0, 0, 0};  // head 0: score(slot 0) = 0.5 * 2 = 1; head 1: zero
  shares.on_query(0, q, hand.view(), hand_shape());
  const double e = std::exp(1.0);
  const HeadShares h0 = shares.shares(0, 0);
  CHECK(h0.first == doctest::Approx(e / (e + 11)));
  CHECK(h0.sinks == doctest::Approx((e + 1) / (e + 11)));
  CHECK(h0.recent == doctest::Approx(4 / (e + 11)));
  CHECK(h0.middle == doctest::Approx(6 / (e + 11)));
  CHECK(shares.shares(0, 1).sinks == doctest::Approx(2.0 / 12));
  // A second, uniform query: the means average the two.
  const float zero[8] = {0};
  shares.on_query(0, zero, hand.view(), hand_shape());
  CHECK(shares.queries(0) == 2);
  CHECK(shares.shares(0, 0).first == doctest::Approx((e / (e + 11) + 1.0 / 12) / 2));
  // Disabled: ignored.
  shares.set_enabled(false);
  shares.on_query(0, q, hand.view(), hand_shape());
  CHECK(shares.queries(0) == 2);
}

TEST_CASE("views larger than planned are reported and not overrun") {
  HandView hand;
  AttentionShares shares(hand_config(), 2, 4, 8);
  const float q[8] = {0};
  shares.on_query(0, q, hand.view(), hand_shape());
  CHECK(shares.status().code() == StatusCode::out_of_range);
  CHECK(shares.queries(0) == 0);
}

TEST_CASE("the session hook sees every layer of every token and leaves the logits unchanged") {
  mkmodel::ModelSpec spec;
  spec.layers = 3;
  spec.seed = 31;
  auto model = make_test_model(spec, "eval-attn");
  const std::vector<int32_t> ids = test_tokens(40, model->config.n_vocab, 2);
  SessionParams params;
  params.sinks = 2;
  params.window = 14;
  auto plain = make_session(*model, params);
  auto observed = make_session(*model, params);
  AttentionShares shares(model->config, 2, 4, 16);
  observed->set_attention_observer(&shares);
  for (int32_t id : ids) {
    REQUIRE(plain->feed(&id, 1).is_ok());
    REQUIRE(observed->feed(&id, 1).is_ok());
  }
  REQUIRE(shares.status().is_ok());
  CHECK(max_relative_difference(observed->logits(), plain->logits(), model->config.n_vocab) == 0.0);
  for (uint32_t l = 0; l < 3; ++l) {
    CHECK(shares.queries(l) == ids.size());
    for (uint32_t h = 0; h < model->config.n_head; ++h) {
      const HeadShares s = shares.shares(l, h);
      CHECK(s.sinks + s.middle + s.recent == doctest::Approx(1.0).epsilon(1e-5));
      CHECK(s.first <= s.sinks + 1e-9);
    }
  }
  observed->set_attention_observer(nullptr);
  const int32_t one_more = ids[0];
  REQUIRE(observed->feed(&one_more, 1).is_ok());
  CHECK(shares.queries(0) == ids.size());
}
