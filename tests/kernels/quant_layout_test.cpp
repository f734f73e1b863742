// Hand-built blocks with known contents: checks the exact byte layout of each
// format (nibble order, fifth/sixth-bit placement, 6-bit scale packing, Q6_K
// element order). Expected values are computed here from the layout as
// ggml documents it, independently of the dequantizers.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/quant/blocks.h"
#include "kernels/quant/float16.h"
#include "kernels/quant/k_quant_scales.h"
#include "kernels/quant/quant_rows.h"
#include "kernels/quant/quant_type_traits.h"

using namespace ballast;

namespace {
constexpr uint16_t kF16One = 0x3c00;
constexpr uint16_t kF16Half = 0x3800;
constexpr uint16_t kF16MinusOne = 0xbc00;
constexpr uint16_t kF16Quarter = 0x3400;
}  // namespace

TEST_CASE("Q4_0 layout: element j in the low nibble of byte j of qs, j+16 in its high nibble") {
  uint8_t raw[18];
  std::memcpy(raw, &kF16One, 2);  // d at offset 0
  for (int j = 0; j < 16; ++j) raw[2 + j] = static_cast<uint8_t>(j | ((15 - j) << 4));
  float y[32];
  dequantize_row_q4_0(raw, y, 32);
  for (int j = 0; j < 16; ++j) {
    CHECK(y[j] == static_cast<float>(j - 8));
    CHECK(y[j + 16] == static_cast<float>(7 - j));
  }
}

TEST_CASE("Q4_1 layout: d, m, then nibbles; value = q*d + m") {
  uint8_t raw[20];
  std::memcpy(raw, &kF16Half, 2);
  std::memcpy(raw + 2, &kF16MinusOne, 2);
  for (int j = 0; j < 16; ++j) raw[4 + j] = static_cast<uint8_t>(j | (3 << 4));
  float y[32];
  dequantize_row_q4_1(raw, y, 32);
  for (int j = 0; j < 16; ++j) {
    CHECK(y[j] == 0.5f * j - 1.0f);
    CHECK(y[j + 16] == 0.5f * 3 - 1.0f);
  }
}

TEST_CASE("Q5_0 layout: fifth bit of element j is bit j of the little-endian qh word") {
  uint8_t raw[22] = {};
  std::memcpy(raw, &kF16One, 2);
  raw[2] = 0x01;  // bit 0  -> element 0
  raw[4] = 0x01;  // bit 16 -> element 16
  raw[5] = 0x80;  // bit 31 -> element 31
  raw[6 + 3] = 0x5A;  // qs[3]: element 3 low nibble 0xA, element 19 high nibble 0x5
  float y[32];
  dequantize_row_q5_0(raw, y, 32);
  for (int j = 0; j < 32; ++j) {
    float expected = -16.0f;
    if (j == 0 || j == 16 || j == 31) expected = 0.0f;
    if (j == 3) expected = 10.0f - 16.0f;
    if (j == 19) expected = 5.0f - 16.0f;
    CHECK_MESSAGE(y[j] == expected, "element " << j);
  }
}

TEST_CASE("Q5_1 layout: d, m, qh, qs") {
  uint8_t raw[24] = {};
  std::memcpy(raw, &kF16One, 2);
  std::memcpy(raw + 2, &kF16Half, 2);
  raw[5] = 0x80;  // bit 15 -> element 15
  raw[8 + 15] = 0x21;  // qs[15]: element 15 low nibble 1, element 31 high nibble 2
  float y[32];
  dequantize_row_q5_1(raw, y, 32);
  CHECK(y[15] == 17.0f + 0.5f);
  CHECK(y[31] == 2.0f + 0.5f);
  CHECK(y[0] == 0.5f);
}

TEST_CASE("Q8_0 layout: d then 32 signed bytes") {
  uint8_t raw[34];
  std::memcpy(raw, &kF16Half, 2);
  for (int j = 0; j < 32; ++j) raw[2 + j] = static_cast<uint8_t>(static_cast<int8_t>(j * 8 - 128));
  float y[32];
  dequantize_row_q8_0(raw, y, 32);
  for (int j = 0; j < 32; ++j) CHECK(y[j] == 0.5f * (j * 8 - 128));
}

TEST_CASE("K-quant 6-bit scale/min packing matches the documented bytes") {
  const uint8_t scales[8] = {1, 2, 3, 4, 17, 33, 49, 63};
  const uint8_t mins[8] = {5, 6, 7, 8, 20, 40, 60, 9};
  // Worked by hand from the layout in k_quant_scales.h.
  const uint8_t expected[12] = {0x41, 0x82, 0xC3, 0xC4, 0x45, 0x86, 0xC7, 0x08, 0x41, 0x81, 0xC1, 0x9F};
  uint8_t packed[12];
  pack_scales_mins_k4(scales, mins, packed);
  for (int i = 0; i < 12; ++i) CHECK_MESSAGE(packed[i] == expected[i], "byte " << i);
  for (int j = 0; j < 8; ++j) {
    uint8_t s, m;
    unpack_scale_min_k4(expected, j, &s, &m);
    CHECK(s == scales[j]);
    CHECK(m == mins[j]);
  }
  // Every 6-bit value survives in every slot.
  for (int v = 0; v < 64; ++v) {
    uint8_t s_in[8], m_in[8], bytes[12];
    for (int j = 0; j < 8; ++j) {
      s_in[j] = static_cast<uint8_t>((v + j) & 63);
      m_in[j] = static_cast<uint8_t>((63 - v + 3 * j) & 63);
    }
    pack_scales_mins_k4(s_in, m_in, bytes);
    for (int j = 0; j < 8; ++j) {
      uint8_t s, m;
      unpack_scale_min_k4(bytes, j, &s, &m);
      CHECK(s == s_in[j]);
      CHECK(m == m_in[j]);
    }
  }
}

namespace {
const uint8_t kScales[8] = {1, 2, 3, 4, 17, 33, 49, 63};
const uint8_t kMins[8] = {5, 6, 7, 8, 20, 40, 60, 9};
const uint8_t kPacked[12] = {0x41, 0x82, 0xC3, 0xC4, 0x45, 0x86, 0xC7, 0x08, 0x41, 0x81, 0xC1, 0x9F};

// Element e of a Q4_K/Q5_K super-block: sub-block j = e/32, position l = e%32;
// its 4 low bits are in qs[32*(j/2) + l], low nibble for even j, high for odd.
int k4_low_bits(const uint8_t *qs, int e) {
  const int j = e / 32, l = e % 32;
  const uint8_t byte = qs[32 * (j / 2) + l];
  return (j % 2 == 0) ? (byte & 15) : (byte >> 4);
}
}  // namespace

TEST_CASE("Q4_K layout: d, dmin, packed scales, sub-blocks in nibble pairs") {
  uint8_t raw[144];
  std::memcpy(raw, &kF16One, 2);
  std::memcpy(raw + 2, &kF16Half, 2);
  std::memcpy(raw + 4, kPacked, 12);
  for (int i = 0; i < 128; ++i) raw[16 + i] = static_cast<uint8_t>((i * 7 + 3) & 0xFF);
  float y[256];
  dequantize_row_q4_k(raw, y, 256);
  for (int e = 0; e < 256; ++e) {
    const int j = e / 32;
    const float expected = 1.0f * kScales[j] * k4_low_bits(raw + 16, e) - 0.5f * kMins[j];
    CHECK_MESSAGE(y[e] == expected, "element " << e);
  }
}

TEST_CASE("Q5_K layout: fifth bit of element 32j+l is bit j of byte l of qh") {
  uint8_t raw[176];
  std::memcpy(raw, &kF16Half, 2);
  std::memcpy(raw + 2, &kF16One, 2);
  std::memcpy(raw + 4, kPacked, 12);
  for (int l = 0; l < 32; ++l) raw[16 + l] = static_cast<uint8_t>((l * 37 + 11) & 0xFF);   // qh
  for (int i = 0; i < 128; ++i) raw[48 + i] = static_cast<uint8_t>((i * 13 + 5) & 0xFF);  // qs
  float y[256];
  dequantize_row_q5_k(raw, y, 256);
  for (int e = 0; e < 256; ++e) {
    const int j = e / 32, l = e % 32;
    const int q = k4_low_bits(raw + 48, e) | (((raw[16 + l] >> j) & 1) << 4);
    const float expected = 0.5f * kScales[j] * q - 1.0f * kMins[j];
    CHECK_MESSAGE(y[e] == expected, "element " << e);
  }
}

TEST_CASE("Q6_K layout: ql, qh, int8 scales, d at the end; documented element order") {
  uint8_t raw[210];
  for (int i = 0; i < 128; ++i) raw[i] = static_cast<uint8_t>((i * 7 + 1) & 0xFF);         // ql
  for (int i = 0; i < 64; ++i) raw[128 + i] = static_cast<uint8_t>((i * 13 + 2) & 0xFF);   // qh
  for (int i = 0; i < 16; ++i) raw[192 + i] = static_cast<uint8_t>(static_cast<int8_t>(i - 8));  // scales
  std::memcpy(raw + 208, &kF16Quarter, 2);
  float y[256];
  dequantize_row_q6_k(raw, y, 256);
  for (int e = 0; e < 256; ++e) {
    const int half = e / 128, k = (e % 128) / 32, l = e % 32;
    const uint8_t low_byte = raw[64 * half + l + 32 * (k & 1)];
    const int low = k < 2 ? (low_byte & 15) : (low_byte >> 4);
    const int high = (raw[128 + 32 * half + l] >> (2 * k)) & 3;
    const int scale = static_cast<int8_t>(raw[192 + e / 16]);
    const float expected = 0.25f * scale * ((low | (high << 4)) - 32);
    CHECK_MESSAGE(y[e] == expected, "element " << e);
  }
}

TEST_CASE("Q8_K activation blocks: d, quants and per-16 sums") {
  std::vector<float> x(512);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.37f * static_cast<float>(i)) * (i < 256 ? 3.0f : 0.01f);
  std::vector<BlockQ8_K> blocks(2);
  quantize_row_q8_k(x.data(), blocks.data(), 512);
  std::vector<float> y(512);
  dequantize_row_q8_k(blocks.data(), y.data(), 512);
  for (int b = 0; b < 2; ++b) {
    float amax = 0;
    for (int i = 0; i < 256; ++i) amax = std::max(amax, std::fabs(x[256 * b + i]));
    CHECK(blocks[b].d == doctest::Approx(amax / 127.0f));
    for (int i = 0; i < 256; ++i) CHECK(std::fabs(y[256 * b + i] - x[256 * b + i]) <= 0.5f * blocks[b].d * 1.0001f);
    for (int g = 0; g < 16; ++g) {
      int sum = 0;
      for (int i = 0; i < 16; ++i) sum += blocks[b].qs[16 * g + i];
      CHECK(blocks[b].bsums[g] == sum);
    }
  }
}

TEST_CASE("quant_type_traits covers every TensorType with matching geometry") {
  const TensorType all[] = {TensorType::f32,  TensorType::f16,  TensorType::bf16, TensorType::q4_0,
                            TensorType::q4_1, TensorType::q5_0, TensorType::q5_1, TensorType::q8_0,
                            TensorType::q4_k, TensorType::q5_k, TensorType::q6_k};
  for (TensorType type : all) {
    const QuantTypeTraits *traits = quant_type_traits(type);
    const TensorTypeInfo *info = tensor_type_info(type);
    REQUIRE(traits != nullptr);
    REQUIRE(info != nullptr);
    CHECK(traits->block_elements == info->block_elements);
    CHECK(traits->block_bytes == info->block_bytes);
    CHECK(std::string(traits->name) == info->name);
    CHECK(quant_row_bytes(type, 4 * info->block_elements) == 4 * info->block_bytes);
  }
  CHECK(quant_row_bytes(TensorType::q4_k, 128) == -1);
  CHECK(quant_row_bytes(TensorType::q8_0, 33) == -1);
  CHECK(quant_type_traits(static_cast<TensorType>(9)) == nullptr);
}

TEST_CASE("float rows: f16 and bf16 rows convert element by element") {
  const float x[5] = {1.0f, -2.5f, 65504.0f, 1e-7f, 3.14159f};
  uint16_t h[5];
  float y[5];
  quantize_row_f16(x, h, 5);
  dequantize_row_f16(h, y, 5);
  for (int i = 0; i < 5; ++i) {
    CHECK(h[i] == f32_to_f16(x[i]));
    CHECK(y[i] == f16_to_f32(h[i]));
  }
  quantize_row_bf16(x, h, 5);
  dequantize_row_bf16(h, y, 5);
  for (int i = 0; i < 5; ++i) CHECK(y[i] == bf16_to_f32(f32_to_bf16(x[i])));
}
