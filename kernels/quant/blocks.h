// The ggml/GGUF quantized block formats, byte for byte as llama.cpp writes
// them (files come from llama.cpp, so these layouts are not ours to change).
// Scales stored as `uint16_t` are IEEE f16 bits (see float16.h).
//
// Legacy formats: blocks of 32 elements. Element j < 16 sits in the low
// nibble of qs[j], element j + 16 in the high nibble of qs[j].
// K-quants: super-blocks of 256 elements made of sub-blocks with 6-bit (Q4_K,
// Q5_K) or 8-bit (Q6_K) scales; see each struct for the element order.
#pragma once

#include <cstdint>

namespace ballast {

constexpr int kQuantBlock = 32;     // elements per legacy block (QK4_0 ... QK8_0)
constexpr int kQuantSuperBlock = 256;  // elements per K-quant super-block (QK_K)
constexpr int kKScaleBytes = 12;    // packed 6-bit scales + mins of Q4_K / Q5_K

// value = (q - 8) * d, q in 0..15.
struct BlockQ4_0 {
  uint16_t d;       // f16 scale
  uint8_t qs[16];   // [32] 4-bit quants: low nibbles elements 0..15, high nibbles 16..31
};
static_assert(sizeof(BlockQ4_0) == 18, "Q4_0 block is 18 bytes");

// value = q * d + m, q in 0..15.
struct BlockQ4_1 {
  uint16_t d;       // f16 scale
  uint16_t m;       // f16 offset (the block minimum)
  uint8_t qs[16];   // as Q4_0
};
static_assert(sizeof(BlockQ4_1) == 20, "Q4_1 block is 20 bytes");

// value = (q - 16) * d, q in 0..31; bit 4 of element j is bit j of qh (little-endian u32).
struct BlockQ5_0 {
  uint16_t d;       // f16 scale
  uint8_t qh[4];    // [32] fifth bits, element j -> bit j of the little-endian u32
  uint8_t qs[16];   // low 4 bits, nibble order as Q4_0
};
static_assert(sizeof(BlockQ5_0) == 22, "Q5_0 block is 22 bytes");

// value = q * d + m, q in 0..31.
struct BlockQ5_1 {
  uint16_t d;       // f16 scale
  uint16_t m;       // f16 offset
  uint8_t qh[4];    // as Q5_0
  uint8_t qs[16];   // as Q5_0
};
static_assert(sizeof(BlockQ5_1) == 24, "Q5_1 block is 24 bytes");

// value = q * d, q in -128..127 (quantizers use -127..127).
struct BlockQ8_0 {
  uint16_t d;       // f16 scale
  int8_t qs[32];
};
static_assert(sizeof(BlockQ8_0) == 34, "Q8_0 block is 34 bytes");

// Q4_K: 8 sub-blocks of 32; sub-block j has 6-bit scale sc[j] and min m[j]
// (packed in `scales`, see k_quant_scales.h); value = d*sc[j]*q - dmin*m[j],
// q in 0..15. Element order: 64-element chunk c uses qs[32c .. 32c+31];
// its first 32 elements (sub-block 2c) are the low nibbles, the next 32
// (sub-block 2c+1) the high nibbles.
struct BlockQ4_K {
  uint16_t d;                    // f16 super-block scale for the scales
  uint16_t dmin;                 // f16 super-block scale for the mins
  uint8_t scales[kKScaleBytes];  // 8 scales + 8 mins, 6 bits each
  uint8_t qs[128];               // [256] 4-bit quants
};
static_assert(sizeof(BlockQ4_K) == 144, "Q4_K block is 144 bytes");

// Q5_K: as Q4_K with a fifth bit: q = nibble + 16 * bit, q in 0..31. The
// fifth bit of element 32*j + l (sub-block j, l < 32) is bit j of qh[l].
struct BlockQ5_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[kKScaleBytes];
  uint8_t qh[32];   // [256] high bits
  uint8_t qs[128];  // [256] low 4 bits, order as Q4_K
};
static_assert(sizeof(BlockQ5_K) == 176, "Q5_K block is 176 bytes");

// Q6_K: 16 sub-blocks of 16 with signed 8-bit scales; value = d*sc*(q - 32),
// q in 0..63. Each 128-element half n (0, 1) uses ql[64n..], qh[32n..] and
// scales[8n..]. Within a half, element 32*k + l (k = 0..3, l = 0..31) takes
// its low 4 bits from ql[64n + l + 32*(k & 1)] (low nibble for k < 2, high
// for k >= 2), its top 2 bits from bits 2k..2k+1 of qh[32n + l], and its
// scale from scales[8n + 2k + l/16].
struct BlockQ6_K {
  uint8_t ql[128];   // [256] low 4 bits
  uint8_t qh[64];    // [256] high 2 bits
  int8_t scales[16]; // sub-block scales
  uint16_t d;        // f16 super-block scale
};
static_assert(sizeof(BlockQ6_K) == 210, "Q6_K block is 210 bytes");

// Q8_K: activation block for K-quant dot products (never stored in files).
struct BlockQ8_K {
  float d;            // f32 scale; value = q * d
  int8_t qs[256];
  int16_t bsums[16];  // sum of each 16 consecutive qs
};
static_assert(sizeof(BlockQ8_K) == 292, "Q8_K block is 292 bytes");

}  // namespace ballast
