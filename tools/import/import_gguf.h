// Builds a llama-architecture GGUF (llama.cpp tensor names and keys, an
// SPM "llama" tokenizer) from models/train's exported weights. The file loads
// unchanged in llama.cpp: RoPE in training is llama.cpp's "norm" convention
// (adjacent pairs), so q/k rows are written as they are, not permuted.
#pragma once

#include <string>

#include "models/gguf/gguf_writer.h"
#include "platform/status.h"
#include "tools/import/import_inputs.h"

namespace ballast {

enum class ImportWeightType { f16, q8_0 };

struct ImportOptions {
  ImportWeightType weight_type = ImportWeightType::f16;  // for 2-D weights; 1-D norms stay F32
  std::string name = "ballast-default";                  // general.name
};

// `weights` holds the bytes of weights.bin. Checks every tensor of the llama
// layout is present with the shape the hyperparameters imply, and that the
// vocabulary size matches. Keys written (besides general.* and llama.*):
// tokenizer.ggml.{model,tokens,scores,token_type,bos/eos/unknown_token_id,
// add_bos_token,add_eos_token,add_space_prefix}, and for a model trained with
// a sink token: ballast.sink_token_id, ballast.sink_slots (u32).
Result<GgufWriter> build_llama_gguf(const ImportManifest &manifest, const std::string &weights, const SpmVocab &vocab,
                                    const ImportOptions &options);

}  // namespace ballast
