#include <doctest/doctest.h>

#include "runtime/memory_plan.h"

using namespace ballast;

namespace {
ModelConfig small_model() {
  ModelConfig m;
  m.n_vocab = 1000;
  m.n_embd = 64;
  m.n_layer = 2;
  m.n_head = 4;
  m.n_head_kv = 2;
  m.head_dim_k = 16;
  m.head_dim_v = 16;
  m.n_ff = 160;
  return m;
}
}  // namespace

TEST_CASE("memory plan sizes the KV sinks and ring from layers, slots, KV heads and dtype") {
  PlanInputs in;
  in.sink_slots = 4;
  in.window = 12;
  in.kv_type = KvType::f16;
  auto plan = plan_memory(small_model(), in);
  REQUIRE(plan.is_ok());
  // per token per layer: K 2 heads x 16 + V 2 heads x 16 = 64 values x 2 bytes.
  CHECK(plan->find("kv_sinks")->bytes == 2 * 4 * 64 * 2);
  CHECK(plan->find("kv_ring")->bytes == 2 * 12 * 64 * 2);
  in.kv_type = KvType::f32;
  auto plan32 = plan_memory(small_model(), in);
  REQUIRE(plan32.is_ok());
  CHECK(plan32->find("kv_ring")->bytes == 2 * 12 * 64 * 4);
  CHECK(plan32->find("logits")->bytes == 4032);  // 1000 floats rounded up to 64 bytes
}

TEST_CASE("memory plan regions are aligned, back to back, and sum to the total") {
  PlanInputs in;
  in.window = 1000;
  in.threads = 2;
  in.repacked_weight_bytes = 12345;
  auto plan = plan_memory(small_model(), in);
  REQUIRE(plan.is_ok());
  uint64_t expected_offset = 0;
  for (const PlanRegion &r : plan->regions) {
    CHECK(r.offset == expected_offset);
    CHECK(r.bytes % kArenaAlignment == 0);
    expected_offset += r.bytes;
  }
  CHECK(plan->total_bytes == expected_offset);
  CHECK(plan->find("repacked_weights")->bytes == 12352);
}

TEST_CASE("memory plan grows with window and threads, never shrinks") {
  PlanInputs a;
  a.window = 100;
  PlanInputs b = a;
  b.window = 200;
  PlanInputs c = a;
  c.threads = 4;
  const uint64_t ta = plan_memory(small_model(), a)->total_bytes;
  CHECK(plan_memory(small_model(), b)->total_bytes > ta);
  CHECK(plan_memory(small_model(), c)->total_bytes > ta);
}

TEST_CASE("memory plan rejects impossible inputs with clear errors") {
  PlanInputs in;
  in.sink_slots = 65;
  auto too_many_sinks = plan_memory(small_model(), in);
  CHECK_FALSE(too_many_sinks.is_ok());
  CHECK(too_many_sinks.status().message().find("sink slots 65") != std::string::npos);
  in = PlanInputs{};
  in.window = 0;
  CHECK_FALSE(plan_memory(small_model(), in).is_ok());
  in = PlanInputs{};
  in.threads = 0;
  CHECK_FALSE(plan_memory(small_model(), in).is_ok());
  in = PlanInputs{};
  in.logit_rows = in.max_prefill_batch + 1;
  CHECK_FALSE(plan_memory(small_model(), in).is_ok());
}

TEST_CASE("memory plan reports overflow instead of wrapping") {
  ModelConfig huge = small_model();
  huge.n_layer = 1u << 30;
  huge.n_head_kv = 1u << 30;
  huge.head_dim_k = 1u << 30;
  huge.head_dim_v = 1u << 30;
  PlanInputs in;
  in.window = 1u << 30;
  auto plan = plan_memory(huge, in);
  CHECK_FALSE(plan.is_ok());
  CHECK(plan.status().message().find("overflow") != std::string::npos);
}

TEST_CASE("KV type names parse and print") {
  CHECK(parse_kv_type("f16").value() == KvType::f16);
  CHECK(parse_kv_type("f32").value() == KvType::f32);
  CHECK_FALSE(parse_kv_type("q8").is_ok());
  CHECK(format_bytes(1536) == "1.50 KiB");
  CHECK(format_bytes(3 * 1024 * 1024) == "3.00 MiB");
}

TEST_CASE("memory plan sizes the KV cache's rotated sink keys, slot table and RoPE state") {
  PlanInputs in;
  in.sink_slots = 4;
  in.window = 12;
  in.kv_type = KvType::f16;
  ModelConfig m = small_model();
  m.rope_dim = 0;  // defaults to head_dim_k (16)
  auto plan = plan_memory(m, in);
  REQUIRE(plan.is_ok());
  // 2 layers x 4 sinks x K (2 heads x 16) x 2 bytes.
  CHECK(plan->find("kv_sink_keys_rotated")->bytes == 2 * 4 * 32 * 2);
  // 16 slots x 16 bytes (token id + stream index).
  CHECK(plan->find("kv_slot_table")->bytes == 16 * 16);
  // u64 per layer + f32 cos/sin [4 + 2][16]: 16 + 384 = 400 -> 448 aligned.
  CHECK(plan->find("kv_rope_state")->bytes == 448);
  in.sink_slots = 0;
  auto no_sinks = plan_memory(m, in);
  REQUIRE(no_sinks.is_ok());
  CHECK(no_sinks->find("kv_sink_keys_rotated")->bytes == 0);
}
