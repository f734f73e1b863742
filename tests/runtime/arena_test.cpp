#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "runtime/arena.h"

using namespace ballast;

namespace {
struct AlignedBuffer {
  explicit AlignedBuffer(size_t n) : storage(n + kArenaAlignment) {
    uintptr_t p = reinterpret_cast<uintptr_t>(storage.data());
    data = reinterpret_cast<uint8_t *>((p + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment);
  }
  std::vector<uint8_t> storage;
  uint8_t *data;
};
}  // namespace

TEST_CASE("arena hands out aligned, disjoint blocks until it is full") {
  AlignedBuffer buf(1024);
  Arena arena(buf.data, 1024);
  auto a = arena.allocate(10, 64, "a");
  auto b = arena.allocate(10, 64, "b");
  REQUIRE(a.is_ok());
  REQUIRE(b.is_ok());
  CHECK(reinterpret_cast<uintptr_t>(a.value()) % 64 == 0);
  CHECK(reinterpret_cast<uintptr_t>(b.value()) % 64 == 0);
  CHECK(static_cast<uint8_t *>(b.value()) >= static_cast<uint8_t *>(a.value()) + 10);
  CHECK(arena.used() == 74);
  auto floats = arena.allocate_array<float>(100, "floats");
  REQUIRE(floats.is_ok());
  floats.value()[99] = 1.0f;
  CHECK(arena.used() == 128 + 400);
}

TEST_CASE("arena failure names the request and the requested, available and missing bytes") {
  AlignedBuffer buf(256);
  Arena arena(buf.data, 256);
  REQUIRE(arena.allocate(200, 64, "first").is_ok());
  auto r = arena.allocate(100, 64, "kv_ring");
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == StatusCode::out_of_memory);
  // 200 used -> next 64-aligned offset is 256: 56 bytes of padding, 56 available, 100 missing.
  CHECK(r.status().message() == "arena request 'kv_ring': requested 100 bytes (+56 alignment), available 56, missing 100");
  CHECK(arena.used() == 200);  // a failed request changes nothing
  CHECK_FALSE(arena.allocate_array<double>(SIZE_MAX / 4, "huge").is_ok());
  CHECK_FALSE(arena.allocate(8, 3, "odd alignment").is_ok());
}

TEST_CASE("carve_plan lays out every region of a memory plan") {
  ModelConfig m;
  m.n_vocab = 300;
  m.n_embd = 32;
  m.n_layer = 1;
  m.n_head = 2;
  m.n_head_kv = 1;
  m.head_dim_k = 16;
  m.head_dim_v = 16;
  m.n_ff = 64;
  PlanInputs in;
  in.window = 8;
  in.max_prefill_batch = 4;
  auto plan = plan_memory(m, in);
  REQUIRE(plan.is_ok());
  AlignedBuffer buf(plan->total_bytes);
  Arena arena(buf.data, plan->total_bytes);
  std::vector<ArenaRegion> regions(plan->regions.size());
  REQUIRE(carve_plan(arena, plan.value(), regions.data(), regions.size()).is_ok());
  CHECK(arena.remaining() == 0);
  for (size_t i = 0; i < regions.size(); ++i) {
    CHECK(regions[i].data == buf.data + plan->regions[i].offset);
    CHECK(regions[i].bytes == plan->regions[i].bytes);
  }
  Arena small(buf.data, plan->total_bytes - 64);
  Status s = carve_plan(small, plan.value(), regions.data(), regions.size());
  CHECK(s.code() == StatusCode::out_of_memory);
  CHECK(s.message().find("missing 64") != std::string::npos);
}
