#include "kernels/embedding/embedding_scalar.h"

#include "kernels/quant/quant_type_traits.h"

namespace ballast {

Status embedding_row_scalar(TensorType type, const void *table, int64_t n_vocab, int64_t n_embd, int64_t token,
                            float *out) {
  if (token < 0 || token >= n_vocab) {
    return make_status(StatusCode::out_of_range, "embedding: token id %lld outside [0, %lld)",
                       static_cast<long long>(token), static_cast<long long>(n_vocab));
  }
  const QuantTypeTraits *traits = quant_type_traits(type);
  const int64_t row_bytes = quant_row_bytes(type, n_embd);
  if (traits == nullptr || row_bytes <= 0) {
    return make_status(StatusCode::invalid_argument, "embedding: %lld elements of type %u are not whole blocks",
                       static_cast<long long>(n_embd), static_cast<unsigned>(type));
  }
  traits->dequantize_row(static_cast<const uint8_t *>(table) + token * row_bytes, out, n_embd);
  return Status::ok();
}

}  // namespace ballast
