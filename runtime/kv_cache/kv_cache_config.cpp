#include "runtime/kv_cache/kv_cache_config.h"

namespace ballast {

RopeStyle rope_style_for_architecture(Architecture arch) {
  return arch == Architecture::llama ? RopeStyle::norm : RopeStyle::neox;
}

Result<SinkRingCacheConfig> kv_cache_config_for_model(const ModelConfig &model, const PlanInputs &plan_inputs,
                                                      KvCacheMode mode, const float *rope_freq_factors) {
  SinkRingCacheConfig c;
  c.n_layer = model.n_layer;
  c.n_head_kv = model.n_head_kv;
  c.head_dim_k = model.head_dim_k;
  c.head_dim_v = model.head_dim_v;
  c.sink_slots = plan_inputs.sink_slots;
  c.window = plan_inputs.window;
  c.kv_type = plan_inputs.kv_type;
  c.mode = mode;
  c.rope.style = rope_style_for_architecture(model.arch);
  c.rope.head_dim = model.head_dim_k;
  c.rope.rope_dim = model.rope_dim != 0 ? model.rope_dim : model.head_dim_k;
  c.rope.freq_base = model.rope_freq_base;
  c.rope.freq_factors = rope_freq_factors;
  BALLAST_RETURN_IF_ERROR(validate_rope_config(c.rope));
  if (mode == KvCacheMode::sink && c.sink_slots == 0) {
    return make_status(StatusCode::invalid_argument, "mode sink needs at least 1 sink slot (use mode window for 0)");
  }
  if (mode == KvCacheMode::window && c.sink_slots != 0) {
    return make_status(StatusCode::invalid_argument, "mode window keeps no sink slots, got %u", c.sink_slots);
  }
  return c;
}

}  // namespace ballast
