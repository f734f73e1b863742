// Token embedding lookup, scalar reference: dequantize row `token` of a
// token_embd tensor of any weight type into f32. No allocation.
#pragma once

#include <cstdint>

#include "kernels/quant/tensor_type.h"
#include "platform/status.h"

namespace ballast {

// table: [n_vocab][row_bytes] in `type`'s layout (GGUF ne0 = n_embd, ne1 = n_vocab);
// out: [n_embd] f32. Errors (nothing written): out_of_range for a token outside
// [0, n_vocab); invalid_argument for an unknown type or an n_embd that is not a
// whole number of blocks.
Status embedding_row_scalar(TensorType type, const void *table, int64_t n_vocab, int64_t n_embd, int64_t token,
                            float *out);

}  // namespace ballast
