// The core of ballast-mkmodel, callable in-process (tests use it): lays out a
// random-weight model of the requested architecture with llama.cpp's tensor
// names, shapes and metadata keys, and writes it through GgufWriter, producing
// (and quantizing) one tensor at a time so even 1B-parameter shapes stream.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/gguf/gguf_writer.h"
#include "platform/status.h"
#include "tools/mkmodel/model_spec.h"

namespace ballast {
namespace mkmodel {

enum class TensorInit {
  matrix,  // N(0, 1/sqrt(row length)): keeps activations O(1) through the layers
  norm,    // 1 + N(0, 0.02)
  bias,    // N(0, 0.02)
};

struct TensorPlan {
  std::string name;             // "blk.3.attn_q.weight"
  std::vector<uint64_t> shape;  // ne0 (row length) first
  TensorType type;
  TensorInit init;
  std::string note;             // why the type differs from the requested one, or empty
};

// Every tensor of the model, in file order, with llama.cpp's names and shapes.
std::vector<TensorPlan> plan_tensors(const ModelSpec &spec);

// The type a 2-D weight with rows of `row_length` gets when `requested` was
// asked for: llama.cpp's fallback when the row is not a whole number of blocks
// (Q4_K -> Q5_0, Q5_K -> Q5_1, Q6_K -> Q8_0, then F16).
TensorType matrix_type_for_row(TensorType requested, uint64_t row_length);

// Called as each tensor is produced: (index, count, plan).
using ProgressFn = std::function<void(size_t index, size_t count, const TensorPlan &plan)>;

struct ModelBuild {
  ModelSpec spec;                  // final spec (vocab from the copied tokenizer, if any)
  std::vector<TensorPlan> tensors;
  std::vector<std::string> notes;  // type fallbacks, for the user
};

// Adds all metadata and tensor producers to `writer` (nothing is generated
// until the writer serialises). `progress` may be empty.
Result<ModelBuild> add_model(const ModelSpec &spec, GgufWriter &writer, const ProgressFn &progress = {});

// Whole-file helpers.
Result<ModelBuild> write_model_file(const ModelSpec &spec, const std::string &path, const ProgressFn &progress = {});
Result<std::vector<uint8_t>> make_model_bytes(const ModelSpec &spec);

}  // namespace mkmodel
}  // namespace ballast
