// Legacy-block weights repacked 8 rows at a time ("q4_0x8", "q5_0x8", "q8_0x8"), so
// that one 8-lane int32 vector holds the dot products of 8 ROWS with one
// activation block: the SIMD kernels then need no horizontal sums, and one
// f16 -> f32 conversion and one multiply give the 8 rows' block scales.
//
// Layout of a matrix of `rows` x `cols` (cols % 32 == 0, blocks = cols / 32):
//   groups = rows / 8 row groups, one after another; a group is [blocks] of
//     q4_0x8, 144 bytes:
//       scales  [8] f16        row i's block scale d
//       quants  [4][8][4] u8   chunk k, row i: the row's packed bytes qs[4k .. 4k+3]
//                              (low nibbles = elements 4k..4k+3,
//                               high nibbles = elements 16+4k..16+4k+3)
//     q5_0x8, 176 bytes:
//       scales  [8] f16
//       fifth   [8][4] u8      row i, byte j: bit m = the fifth bit of the
//                              element unit m's byte j holds (units as the
//                              kernels take them: m = 2k for elements 4k+j,
//                              m = 2k+1 for 16+4k+j), so one shift and mask
//                              per unit puts the bits of 8 rows at bit 4
//       quants  [4][8][4] u8   as q4_0x8 (the low 4 bits)
//     q8_0x8, 272 bytes:
//       scales  [8] f16
//       quants  [8][8][4] u8   chunk k, row i: qs[4k .. 4k+3] + 128 (offset binary)
//   then the rows % 8 tail rows in the plain layout (18-, 22- or 34-byte blocks).
// A copy has exactly the original's size, and each group sits in the bytes
// its 8 rows had (so a matrix can be repacked in slices of whole groups).
//
// Arithmetic (scalar references below; the SIMD kernels equal them bit for
// bit): the activations are q8_0_sums rows (matmul_q8_scalar.h); per row and
// block, with u_j the weight as stored unsigned (nibble, nibble + 16 * fifth
// bit, or q + 128) and `offset` 8, 16 or 128,
//   isum = sum_j u_j * xq_j - offset * sum_j xq_j        (exact int32)
//   acc  = fma(float(isum), d_w * d_x, acc)              (blocks in order, acc from 0)
// and y = acc. The block integer equals the plain kernels' one; only the f32
// accumulation order differs from row_dot_q4_0 / row_dot_q5_0 / row_dot_q8_0
// (which sum 8 lane partials).
#pragma once

#include <cstdint>

#include "kernels/matmul/matmul_q8_scalar.h"

namespace ballast {

constexpr int64_t kInterleavedRows = 8;
constexpr int64_t kQ4_0x8BlockBytes = 144;  // 8 scales + 8 rows x 16 quant bytes
constexpr int64_t kQ5_0x8BlockBytes = 176;  // 8 scales + 8 rows x (4 fifth-bit + 16 quant bytes)
constexpr int64_t kQ8_0x8BlockBytes = 272;  // 8 scales + 8 rows x 32 quant bytes

// Both layouts have the original's size: rows x row_bytes.
int64_t q4_0x8_repacked_bytes(int64_t rows, int64_t cols);
int64_t q5_0x8_repacked_bytes(int64_t rows, int64_t cols);
int64_t q8_0x8_repacked_bytes(int64_t rows, int64_t cols);
void repack_q4_0x8(const void *weights, void *repacked, int64_t rows, int64_t cols);
void repack_q5_0x8(const void *weights, void *repacked, int64_t rows, int64_t cols);
void repack_q8_0x8(const void *weights, void *repacked, int64_t rows, int64_t cols);

// Scalar references over the repacked copies (x_q: q8_0_sums rows).
void matmul_q4_0x8_scalar(const void *repacked, const void *x_q, float *y, int64_t rows, int64_t cols, int64_t batch,
                          int64_t row_begin, int64_t row_end);
void matmul_q5_0x8_scalar(const void *repacked, const void *x_q, float *y, int64_t rows, int64_t cols, int64_t batch,
                          int64_t row_begin, int64_t row_end);
void matmul_q8_0x8_scalar(const void *repacked, const void *x_q, float *y, int64_t rows, int64_t cols, int64_t batch,
                          int64_t row_begin, int64_t row_end);

// Row `row` of a repacked copy as f32 (the file row's values exactly).
void dequantize_row_q4_0x8(const void *repacked, int64_t rows, int64_t cols, int64_t row, float *out);
void dequantize_row_q5_0x8(const void *repacked, int64_t rows, int64_t cols, int64_t row, float *out);
void dequantize_row_q8_0x8(const void *repacked, int64_t rows, int64_t cols, int64_t row, float *out);

// One plain tail row with the arithmetic above; SIMD files use them for the
// rows % 8 rows.
float q4_0_row_dot_ordered(const uint8_t *row, const uint8_t *x_q, int64_t cols);
float q5_0_row_dot_ordered(const uint8_t *row, const uint8_t *x_q, int64_t cols);
float q8_0_row_dot_ordered(const uint8_t *row, const uint8_t *x_q, int64_t cols);

// The scalar repacked kernel sets (tests compare the SIMD ones with them).
const RepackedMatmulKernels *q4_0x8_kernels_scalar();
const RepackedMatmulKernels *q5_0x8_kernels_scalar();
const RepackedMatmulKernels *q8_0x8_kernels_scalar();

}  // namespace ballast
