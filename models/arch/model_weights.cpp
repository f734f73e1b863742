#include "models/arch/model_weights.h"

#include <string>

namespace ballast {
namespace {

enum class Need { required, optional };

class Binder {
 public:
  explicit Binder(const GgufFile &file) : file_(file) {}

  // Matrix of `rows` x `cols`; 1-D tensors are bound with rows == 1.
  Result<WeightView> bind(const std::string &name, uint64_t rows, uint64_t cols, Need need, bool float_only = false) {
    const GgufTensorInfo *t = file_.find_tensor(name);
    if (t == nullptr) {
      if (need == Need::optional) return WeightView{};
      return make_status(StatusCode::corrupt_file, "tensor '%s' is missing", name.c_str());
    }
    const bool vector = rows == 1;
    const uint64_t got_cols = t->shape[0];
    const uint64_t got_rows = t->n_dims >= 2 ? t->shape[1] : 1;
    const bool dims_ok = vector ? (t->n_dims == 1 || (t->n_dims == 2 && t->shape[1] == 1)) : t->n_dims == 2;
    if (!dims_ok || got_cols != cols || got_rows != rows) {
      return make_status(StatusCode::corrupt_file,
                         "tensor '%s' has %u dims [%llu, %llu], expected [%llu, %llu] (ne0 first)", name.c_str(),
                         t->n_dims, static_cast<unsigned long long>(got_cols), static_cast<unsigned long long>(got_rows),
                         static_cast<unsigned long long>(cols), static_cast<unsigned long long>(rows));
    }
    if (float_only && t->type != TensorType::f32) {
      return make_status(StatusCode::unsupported, "tensor '%s' is %s; norms and biases must be F32",
                         name.c_str(), tensor_type_info(t->type)->name);
    }
    const TensorTypeInfo *info = tensor_type_info(t->type);
    WeightView w;
    w.type = t->type;
    w.data = t->data;
    w.rows = rows;
    w.cols = cols;
    w.row_bytes = cols / info->block_elements * info->block_bytes;
    total_bytes_ += t->byte_size;
    return w;
  }

  uint64_t total_bytes() const { return total_bytes_; }

 private:
  const GgufFile &file_;
  uint64_t total_bytes_ = 0;
};

}  // namespace

Result<ModelWeights> bind_model_weights(const GgufFile &file, const ModelConfig &c) {
  Binder b(file);
  ModelWeights w;
  const uint64_t q_width = c.q_width();
  const uint64_t attn_out_width = uint64_t{c.n_head} * c.head_dim_v;
  BALLAST_ASSIGN_OR_RETURN(w.token_embd, b.bind("token_embd.weight", c.n_vocab, c.n_embd, Need::required));
  BALLAST_ASSIGN_OR_RETURN(w.output_norm, b.bind("output_norm.weight", 1, c.n_embd, Need::required, true));
  BALLAST_ASSIGN_OR_RETURN(w.output, b.bind("output.weight", c.n_vocab, c.n_embd, Need::optional));
  if (!w.output.present()) w.output = w.token_embd;
  BALLAST_ASSIGN_OR_RETURN(w.rope_freqs, b.bind("rope_freqs.weight", 1, c.rope_dim / 2, Need::optional, true));

  const bool biases = c.arch == Architecture::qwen2;
  const bool qk_norm = c.arch == Architecture::qwen3;
  w.layers.resize(c.n_layer);
  for (uint32_t i = 0; i < c.n_layer; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    LayerWeights &l = w.layers[i];
    BALLAST_ASSIGN_OR_RETURN(l.attn_norm, b.bind(p + "attn_norm.weight", 1, c.n_embd, Need::required, true));
    BALLAST_ASSIGN_OR_RETURN(l.wq, b.bind(p + "attn_q.weight", q_width, c.n_embd, Need::required));
    BALLAST_ASSIGN_OR_RETURN(l.wk, b.bind(p + "attn_k.weight", c.kv_width_k(), c.n_embd, Need::required));
    BALLAST_ASSIGN_OR_RETURN(l.wv, b.bind(p + "attn_v.weight", c.kv_width_v(), c.n_embd, Need::required));
    BALLAST_ASSIGN_OR_RETURN(l.wo, b.bind(p + "attn_output.weight", c.n_embd, attn_out_width, Need::required));
    const Need bias_need = biases ? Need::required : Need::optional;
    BALLAST_ASSIGN_OR_RETURN(l.bq, b.bind(p + "attn_q.bias", 1, q_width, bias_need, true));
    BALLAST_ASSIGN_OR_RETURN(l.bk, b.bind(p + "attn_k.bias", 1, c.kv_width_k(), bias_need, true));
    BALLAST_ASSIGN_OR_RETURN(l.bv, b.bind(p + "attn_v.bias", 1, c.kv_width_v(), bias_need, true));
    const Need norm_need = qk_norm ? Need::required : Need::optional;
    BALLAST_ASSIGN_OR_RETURN(l.q_norm, b.bind(p + "attn_q_norm.weight", 1, c.head_dim_k, norm_need, true));
    BALLAST_ASSIGN_OR_RETURN(l.k_norm, b.bind(p + "attn_k_norm.weight", 1, c.head_dim_k, norm_need, true));
    BALLAST_ASSIGN_OR_RETURN(l.ffn_norm, b.bind(p + "ffn_norm.weight", 1, c.n_embd, Need::required, true));
    BALLAST_ASSIGN_OR_RETURN(l.ffn_gate, b.bind(p + "ffn_gate.weight", c.n_ff, c.n_embd, Need::required));
    BALLAST_ASSIGN_OR_RETURN(l.ffn_up, b.bind(p + "ffn_up.weight", c.n_ff, c.n_embd, Need::required));
    BALLAST_ASSIGN_OR_RETURN(l.ffn_down, b.bind(p + "ffn_down.weight", c.n_embd, c.n_ff, Need::required));
  }
  w.total_bytes = b.total_bytes();
  return w;
}

}  // namespace ballast
