// linear_shared_input (the forward pass's q/k/v and gate/up in one pool
// region) against one linear() per projection on one thread: the same bits
// for any thread count, matrices below the split threshold included, and the
// one-by-one fallback when the projections read different input formats.
#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "kernels/quant/quant_type_traits.h"
#include "runtime/engine/linear_op.h"
#include "runtime/threading/thread_pool.h"

using namespace ballast;

namespace {

// A random weight matrix of `type`, rows x cols, and its view.
struct Matrix {
  std::vector<uint8_t> bytes;
  WeightView view;
};

std::unique_ptr<Matrix> random_matrix(TensorType type, uint64_t rows, uint64_t cols, std::mt19937 &rng) {
  auto m = std::make_unique<Matrix>();
  const QuantTypeTraits *traits = quant_type_traits(type);
  const int64_t row_bytes = quant_row_bytes(type, static_cast<int64_t>(cols));
  m->bytes.resize(static_cast<size_t>(rows * row_bytes));
  std::normal_distribution<float> normal;
  std::vector<float> row(cols);
  for (uint64_t r = 0; r < rows; ++r) {
    for (float &v : row) v = normal(rng);
    traits->quantize_row(row.data(), m->bytes.data() + r * row_bytes, static_cast<int64_t>(cols));
  }
  m->view = WeightView{type, m->bytes.data(), rows, cols, static_cast<uint64_t>(row_bytes)};
  return m;
}

}  // namespace

TEST_CASE("linear_shared_input gives one linear() per projection's bits on any thread count") {
  std::mt19937 rng(3);
  const uint64_t cols = 256;
  struct Case {
    const char *name;
    std::vector<TensorType> types;
    std::vector<uint64_t> rows;
  };
  // q/k/v-like (one matrix below the 64-row split threshold), gate/up-like,
  // and projections of different input formats (Q8_0 activations vs f32):
  // the fallback, one op after the other.
  const Case cases[] = {{"q8_0 q/k/v", {TensorType::q8_0, TensorType::q8_0, TensorType::q8_0}, {256, 40, 72}},
                        {"q4_0 gate/up", {TensorType::q4_0, TensorType::q4_0}, {520, 520}},
                        {"mixed formats", {TensorType::q8_0, TensorType::f32, TensorType::q4_k}, {96, 130, 64}}};
  for (const Case &c : cases) {
    CAPTURE(c.name);
    const int n_ops = static_cast<int>(c.types.size());
    std::vector<std::unique_ptr<Matrix>> matrices;
    std::vector<LinearOp> ops(n_ops);
    std::vector<const LinearOp *> op_ptrs;
    for (int i = 0; i < n_ops; ++i) {
      matrices.push_back(random_matrix(c.types[i], c.rows[i], cols, rng));
      Result<LinearOp> op = bind_linear(matrices.back()->view, "test");
      REQUIRE(op.is_ok());
      ops[i] = op.value();
      op_ptrs.push_back(&ops[i]);
    }
    for (int64_t batch : {int64_t{1}, int64_t{5}}) {
      CAPTURE(batch);
      std::vector<float> in(static_cast<size_t>(batch * cols));
      std::normal_distribution<float> normal;
      for (float &v : in) v = normal(rng);
      std::vector<uint8_t> converted(static_cast<size_t>(batch * cols * 4 + 1024));
      // Reference: one linear() per projection, one thread.
      std::vector<std::vector<float>> want(n_ops);
      for (int i = 0; i < n_ops; ++i) {
        want[i].resize(static_cast<size_t>(batch * c.rows[i]));
        REQUIRE(linear(ops[i], in.data(), batch, want[i].data(), converted.data()).is_ok());
      }
      for (uint32_t threads : {1u, 2u, 3u}) {
        CAPTURE(threads);
        auto pool = ThreadPool::create(threads);
        REQUIRE(pool.is_ok());
        std::vector<std::vector<float>> got(n_ops);
        std::vector<float *> outs;
        for (int i = 0; i < n_ops; ++i) {
          got[i].assign(static_cast<size_t>(batch * c.rows[i]), -1.0f);
          outs.push_back(got[i].data());
        }
        REQUIRE(linear_shared_input(op_ptrs.data(), outs.data(), n_ops, in.data(), batch, converted.data(),
                                    pool.value().get())
                    .is_ok());
        for (int i = 0; i < n_ops; ++i) {
          CAPTURE(i);
          CHECK(std::memcmp(got[i].data(), want[i].data(), got[i].size() * sizeof(float)) == 0);
        }
      }
    }
  }
}

TEST_CASE("linear_shared_input refuses more projections than it holds") {
  std::mt19937 rng(4);
  auto m = random_matrix(TensorType::q8_0, 64, 64, rng);
  Result<LinearOp> op = bind_linear(m->view, "test");
  REQUIRE(op.is_ok());
  const LinearOp *ops[5] = {&op.value(), &op.value(), &op.value(), &op.value(), &op.value()};
  std::vector<float> in(64), out(64);
  float *outs[5] = {out.data(), out.data(), out.data(), out.data(), out.data()};
  std::vector<uint8_t> converted(1024);
  CHECK(linear_shared_input(ops, outs, 5, in.data(), 1, converted.data()).code() == StatusCode::internal);
  CHECK(linear_shared_input(ops, outs, 0, in.data(), 1, converted.data()).code() == StatusCode::internal);
}
