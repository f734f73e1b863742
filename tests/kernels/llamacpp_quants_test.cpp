// Our block layouts against bytes llama.cpp's own quantizer wrote
// (fixtures/llamacpp_quants.gguf, made by fixtures/make_llamacpp_quants.sh):
// one 256 x 64 matrix as F32 and in every block format. Dequantizing
// llama.cpp's bytes with our code must reproduce the matrix to within each
// format's precision (a wrong nibble order or scale packing gives errors as
// large as the data), f16/bf16 must match bit for bit, and our quantizers
// must be at least about as accurate as llama.cpp's.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/quant/float16.h"
#include "kernels/quant/quant_type_traits.h"
#include "models/gguf/gguf_reader.h"
#include "platform/file_mapping.h"

using namespace ballast;

namespace {

struct Fixture {
  FileMapping mapping;
  std::vector<GgufTensorInfo> tensors;
  const GgufTensorInfo *find(const std::string &label) const {
    for (const GgufTensorInfo &t : tensors) {
      if (t.name == label) return &t;
    }
    return nullptr;
  }
};

Fixture load_fixture() {
  Fixture fixture;
  const std::string path = std::string(BALLAST_SOURCE_DIR) + "/tests/kernels/fixtures/llamacpp_quants.gguf";
  Result<FileMapping> mapping = FileMapping::open(path);
  REQUIRE_MESSAGE(mapping.is_ok(), mapping.status().to_string());
  fixture.mapping = std::move(mapping).value();
  Result<GgufFile> file = GgufFile::parse(fixture.mapping.data(), fixture.mapping.size());
  REQUIRE_MESSAGE(file.is_ok(), file.status().to_string());
  fixture.tensors = file->tensors();  // views into the mapping, which the fixture keeps alive
  return fixture;
}

double relative_rms(const std::vector<float> &approx, const float *exact, size_t n) {
  double error = 0, signal = 0;
  for (size_t i = 0; i < n; ++i) {
    error += (static_cast<double>(approx[i]) - exact[i]) * (static_cast<double>(approx[i]) - exact[i]);
    signal += static_cast<double>(exact[i]) * exact[i];
  }
  return std::sqrt(error / signal);
}

}  // namespace

TEST_CASE("llama.cpp's f16 and bf16 conversions of a matrix equal ours bit for bit") {
  const Fixture fixture = load_fixture();
  const GgufTensorInfo *original = fixture.find("F32");
  REQUIRE(original != nullptr);
  const float *x = reinterpret_cast<const float *>(original->data);
  const size_t n = original->element_count;
  for (const char *label : {"F16", "BF16"}) {
    const GgufTensorInfo *t = fixture.find(label);
    REQUIRE(t != nullptr);
    REQUIRE(t->element_count == n);
    int mismatches = 0;
    for (size_t i = 0; i < n; ++i) {
      uint16_t theirs;
      std::memcpy(&theirs, t->data + 2 * i, 2);
      const uint16_t ours = t->type == TensorType::f16 ? f32_to_f16(x[i]) : f32_to_bf16(x[i]);
      if (ours != theirs) ++mismatches;
    }
    CHECK_MESSAGE(mismatches == 0, label);
  }
}

TEST_CASE("our dequantizers read llama.cpp's blocks; our quantizers match its accuracy") {
  const Fixture fixture = load_fixture();
  const GgufTensorInfo *original = fixture.find("F32");
  REQUIRE(original != nullptr);
  const float *x = reinterpret_cast<const float *>(original->data);
  const size_t n = original->element_count;
  const int64_t row = static_cast<int64_t>(original->shape[0]);
  // Relative RMS budgets (error / signal) per format, as in quant_roundtrip_test.
  struct Case {
    const char *label;
    TensorType type;
    double max_relative_rms;
  };
  const Case cases[] = {
      {"Q4_0", TensorType::q4_0, 0.110}, {"Q4_1", TensorType::q4_1, 0.090}, {"Q5_0", TensorType::q5_0, 0.055},
      {"Q5_1", TensorType::q5_1, 0.045}, {"Q8_0", TensorType::q8_0, 0.0070}, {"Q4_K", TensorType::q4_k, 0.085},
      {"Q5_K", TensorType::q5_k, 0.042}, {"Q6_K", TensorType::q6_k, 0.021},
  };
  for (const Case &c : cases) {
    CAPTURE(std::string(c.label));
    const GgufTensorInfo *t = fixture.find(c.label);
    REQUIRE(t != nullptr);
    REQUIRE(t->type == c.type);
    REQUIRE(t->element_count == n);
    const QuantTypeTraits *traits = quant_type_traits(c.type);
    std::vector<float> theirs(n);
    traits->dequantize_row(t->data, theirs.data(), static_cast<int64_t>(n));
    const double their_rms = relative_rms(theirs, x, n);

    std::vector<uint8_t> packed(t->byte_size);
    const int64_t row_bytes = quant_row_bytes(c.type, row);
    for (size_t r = 0; r < n / static_cast<size_t>(row); ++r) {
      traits->quantize_row(x + r * row, packed.data() + r * row_bytes, row);
    }
    std::vector<float> ours(n);
    traits->dequantize_row(packed.data(), ours.data(), static_cast<int64_t>(n));
    const double our_rms = relative_rms(ours, x, n);
    MESSAGE(std::string(c.label) << ": llama.cpp blocks read back with relative RMS " << their_rms << ", ours " << our_rms);
    CHECK(their_rms < c.max_relative_rms);
    CHECK(our_rms < c.max_relative_rms);
    CHECK(our_rms <= their_rms * 1.10);
  }
}

TEST_CASE("legacy formats: same scales as llama.cpp, and nearly the same quants") {
  const Fixture fixture = load_fixture();
  const GgufTensorInfo *original = fixture.find("F32");
  REQUIRE(original != nullptr);
  const float *x = reinterpret_cast<const float *>(original->data);
  const size_t n = original->element_count;
  for (const char *label : {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0"}) {
    CAPTURE(std::string(label));
    const GgufTensorInfo *t = fixture.find(label);
    REQUIRE(t != nullptr);
    const QuantTypeTraits *traits = quant_type_traits(t->type);
    std::vector<uint8_t> ours(t->byte_size);
    traits->quantize_row(x, ours.data(), static_cast<int64_t>(n));  // rows are whole blocks: one call is fine
    const size_t blocks = n / traits->block_elements;
    const bool has_min = t->type == TensorType::q4_1 || t->type == TensorType::q5_1;
    size_t scale_mismatches = 0;
    for (size_t b = 0; b < blocks; ++b) {
      const size_t header = has_min ? 4 : 2;  // f16 d (and f16 m) lead every legacy block
      if (std::memcmp(ours.data() + b * traits->block_bytes, t->data + b * traits->block_bytes, header) != 0) {
        ++scale_mismatches;
      }
    }
    CHECK(scale_mismatches == 0);
    std::vector<float> a(n), b(n);
    traits->dequantize_row(ours.data(), a.data(), static_cast<int64_t>(n));
    traits->dequantize_row(t->data, b.data(), static_cast<int64_t>(n));
    size_t differing = 0;
    for (size_t i = 0; i < n; ++i) differing += a[i] != b[i];
    // llama.cpp rounds against the unrounded scale, we against the stored f16
    // one: the two may pick neighbouring grid points for a handful of values.
    CHECK(differing <= n / 100);
  }
}
