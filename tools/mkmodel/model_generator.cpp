#include "tools/mkmodel/model_generator.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "kernels/quant/quant_type_traits.h"
#include "tools/mkmodel/random_normal.h"
#include "tools/mkmodel/vocab_source.h"

namespace ballast {
namespace mkmodel {
namespace {

std::string layer_name(uint32_t layer, const char *suffix) { return "blk." + std::to_string(layer) + "." + suffix; }

TensorPlan matrix(const std::string &name, uint64_t row_length, uint64_t rows, TensorType requested) {
  TensorPlan plan{name, {row_length, rows}, matrix_type_for_row(requested, row_length), TensorInit::matrix, ""};
  if (plan.type != requested) {
    plan.note = name + ": row length " + std::to_string(row_length) + " is not a multiple of the " +
                tensor_type_info(requested)->name + " block (" +
                std::to_string(tensor_type_info(requested)->block_elements) + "), using " +
                tensor_type_info(plan.type)->name + " as llama.cpp does";
  }
  return plan;
}

TensorPlan vector_tensor(const std::string &name, uint64_t length, TensorInit init) {
  return TensorPlan{name, {length}, TensorType::f32, init, ""};
}

bool is_quantized(TensorType type) { return tensor_type_info(type)->block_elements > 1; }

void fill_row(TensorInit init, NormalSampler &normal, float matrix_std, float *row, uint64_t length) {
  switch (init) {
    case TensorInit::matrix:
      for (uint64_t i = 0; i < length; ++i) row[i] = normal.next() * matrix_std;
      break;
    case TensorInit::norm:
      for (uint64_t i = 0; i < length; ++i) row[i] = 1.0f + 0.02f * normal.next();
      break;
    case TensorInit::bias:
      for (uint64_t i = 0; i < length; ++i) row[i] = 0.02f * normal.next();
      break;
  }
}

// Fills one tensor: each row from its own seeded sampler (so any split over
// threads gives the same bytes), quantized on the fly.
Status produce_tensor(const TensorPlan &plan, uint64_t model_seed, uint32_t threads, std::vector<uint8_t> &out) {
  const QuantTypeTraits *traits = quant_type_traits(plan.type);
  if (traits == nullptr) return make_status(StatusCode::internal, "no row functions for %s", plan.name.c_str());
  const uint64_t row_length = plan.shape[0];
  uint64_t rows = 1;
  for (size_t i = 1; i < plan.shape.size(); ++i) rows *= plan.shape[i];
  const int64_t row_bytes = quant_row_bytes(plan.type, static_cast<int64_t>(row_length));
  if (row_bytes < 0) return make_status(StatusCode::internal, "%s: row not a whole number of blocks", plan.name.c_str());
  out.resize(static_cast<size_t>(row_bytes) * rows);

  const uint64_t seed = tensor_seed(model_seed, plan.name);
  const float matrix_std = 1.0f / std::sqrt(static_cast<float>(row_length));
  auto fill_rows = [&](uint64_t first, uint64_t last) {
    std::vector<float> row(row_length);  // [row_length] f32 values before conversion
    for (uint64_t r = first; r < last; ++r) {
      NormalSampler normal(row_seed(seed, r));
      fill_row(plan.init, normal, matrix_std, row.data(), row_length);
      traits->quantize_row(row.data(), out.data() + r * static_cast<uint64_t>(row_bytes),
                           static_cast<int64_t>(row_length));
    }
  };
  uint64_t workers = threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency());
  if (rows * row_length < (1u << 16)) workers = 1;  // not worth a thread
  workers = std::min<uint64_t>(workers, rows);
  std::vector<std::thread> pool;
  for (uint64_t w = 1; w < workers; ++w) pool.emplace_back(fill_rows, rows * w / workers, rows * (w + 1) / workers);
  fill_rows(0, rows / workers);
  for (std::thread &t : pool) t.join();
  return Status::ok();
}

}  // namespace

TensorType matrix_type_for_row(TensorType requested, uint64_t row_length) {
  const TensorTypeInfo *info = tensor_type_info(requested);
  if (info == nullptr || row_length % info->block_elements == 0) return requested;
  TensorType fallback = requested;
  switch (requested) {
    case TensorType::q4_k: fallback = TensorType::q5_0; break;
    case TensorType::q5_k: fallback = TensorType::q5_1; break;
    case TensorType::q6_k: fallback = TensorType::q8_0; break;
    default: break;
  }
  if (row_length % tensor_type_info(fallback)->block_elements != 0) fallback = TensorType::f16;
  return fallback;
}

std::vector<TensorPlan> plan_tensors(const ModelSpec &spec) {
  const uint64_t dim = spec.dim;
  const uint64_t head_dim = spec.effective_head_dim();
  const uint64_t q_dim = head_dim * spec.heads;     // attention query width
  const uint64_t kv_dim = head_dim * spec.kv_heads;  // key/value width (GQA)
  const TensorType t = spec.type;
  std::vector<TensorPlan> plans;
  plans.push_back(matrix("token_embd.weight", dim, spec.vocab, t));
  for (uint32_t l = 0; l < spec.layers; ++l) {
    plans.push_back(vector_tensor(layer_name(l, "attn_norm.weight"), dim, TensorInit::norm));
    plans.push_back(matrix(layer_name(l, "attn_q.weight"), dim, q_dim, t));
    plans.push_back(matrix(layer_name(l, "attn_k.weight"), dim, kv_dim, t));
    plans.push_back(matrix(layer_name(l, "attn_v.weight"), dim, kv_dim, t));
    if (spec.arch == ModelArch::qwen2) {
      plans.push_back(vector_tensor(layer_name(l, "attn_q.bias"), q_dim, TensorInit::bias));
      plans.push_back(vector_tensor(layer_name(l, "attn_k.bias"), kv_dim, TensorInit::bias));
      plans.push_back(vector_tensor(layer_name(l, "attn_v.bias"), kv_dim, TensorInit::bias));
    }
    if (spec.arch == ModelArch::qwen3) {
      plans.push_back(vector_tensor(layer_name(l, "attn_q_norm.weight"), head_dim, TensorInit::norm));
      plans.push_back(vector_tensor(layer_name(l, "attn_k_norm.weight"), head_dim, TensorInit::norm));
    }
    plans.push_back(matrix(layer_name(l, "attn_output.weight"), q_dim, dim, t));
    plans.push_back(vector_tensor(layer_name(l, "ffn_norm.weight"), dim, TensorInit::norm));
    plans.push_back(matrix(layer_name(l, "ffn_gate.weight"), dim, spec.ffn, t));
    plans.push_back(matrix(layer_name(l, "ffn_up.weight"), dim, spec.ffn, t));
    plans.push_back(matrix(layer_name(l, "ffn_down.weight"), spec.ffn, dim, t));
  }
  plans.push_back(vector_tensor("output_norm.weight", dim, TensorInit::norm));
  if (!spec.tied) plans.push_back(matrix("output.weight", dim, spec.vocab, t));
  return plans;
}

Result<ModelBuild> add_model(const ModelSpec &requested, GgufWriter &writer, const ProgressFn &progress) {
  ModelBuild build;
  build.spec = requested;
  ModelSpec &spec = build.spec;
  BALLAST_RETURN_IF_ERROR(validate_spec(spec));

  const std::string arch = arch_name(spec.arch);
  writer.set_string("general.architecture", arch);
  writer.set_string("general.name", spec.name);
  writer.set_string("general.description",
                    "random weights from ballast-mkmodel, seed " + std::to_string(spec.seed) + " (not a trained model)");
  writer.set_u32("general.file_type", llama_file_type(spec.type));
  if (is_quantized(spec.type)) writer.set_u32("general.quantization_version", 2);

  // Tokenizer first: a copied vocabulary decides the embedding's row count.
  if (!spec.vocab_from.empty()) {
    BALLAST_ASSIGN_OR_RETURN(uint32_t tokens, copy_vocab_from_gguf(writer, spec.vocab_from));
    if (tokens != spec.vocab) {
      build.notes.push_back("vocab size " + std::to_string(tokens) + " taken from " + spec.vocab_from);
    }
    spec.vocab = tokens;
  } else {
    BALLAST_RETURN_IF_ERROR(add_synthetic_vocab(writer, spec.vocab));
  }

  const uint32_t head_dim = spec.effective_head_dim();
  writer.set_u32(arch + ".vocab_size", spec.vocab);
  writer.set_u32(arch + ".context_length", spec.ctx);
  writer.set_u32(arch + ".embedding_length", spec.dim);
  writer.set_u32(arch + ".block_count", spec.layers);
  writer.set_u32(arch + ".feed_forward_length", spec.ffn);
  writer.set_u32(arch + ".attention.head_count", spec.heads);
  writer.set_u32(arch + ".attention.head_count_kv", spec.kv_heads);
  writer.set_f32(arch + ".attention.layer_norm_rms_epsilon", spec.rms_eps);
  writer.set_f32(arch + ".rope.freq_base", spec.rope_theta);
  writer.set_u32(arch + ".rope.dimension_count", head_dim);
  if (spec.arch == ModelArch::qwen3) {
    writer.set_u32(arch + ".attention.key_length", head_dim);
    writer.set_u32(arch + ".attention.value_length", head_dim);
  }

  build.tensors = plan_tensors(spec);
  for (const TensorPlan &plan : build.tensors) {
    if (!plan.note.empty()) build.notes.push_back(plan.note);
  }
  const size_t count = build.tensors.size();
  for (size_t i = 0; i < count; ++i) {
    const TensorPlan &plan = build.tensors[i];
    const uint64_t seed = spec.seed;
    const uint32_t threads = spec.threads;
    writer.add_tensor_producer(plan.name, plan.type, plan.shape,
                               [plan, seed, threads, i, count, progress](std::vector<uint8_t> &out) {
                                 if (progress) progress(i, count, plan);
                                 return produce_tensor(plan, seed, threads, out);
                               });
  }
  return build;
}

Result<ModelBuild> write_model_file(const ModelSpec &spec, const std::string &path, const ProgressFn &progress) {
  GgufWriter writer;
  BALLAST_ASSIGN_OR_RETURN(ModelBuild build, add_model(spec, writer, progress));
  BALLAST_RETURN_IF_ERROR(writer.write_file(path));
  return build;
}

Result<std::vector<uint8_t>> make_model_bytes(const ModelSpec &spec) {
  GgufWriter writer;
  BALLAST_ASSIGN_OR_RETURN(ModelBuild build, add_model(spec, writer));
  (void)build;
  return writer.to_bytes();
}

}  // namespace mkmodel
}  // namespace ballast
