// Builds a SinkRingCacheConfig from the model's hyperparameters and the
// memory plan's inputs, so the cache and the plan always agree.
#pragma once

#include "models/model_config.h"
#include "platform/status.h"
#include "runtime/kv_cache/sink_ring_cache.h"
#include "runtime/memory_plan.h"

namespace ballast {

// llama.cpp's RoPE pairing per architecture: llama -> norm, qwen2/qwen3 -> neox.
RopeStyle rope_style_for_architecture(Architecture arch);

// rope_freq_factors: the model's `rope_freqs.weight` ([rope_dim/2] f32,
// llama3 rope scaling) or nullptr; it must outlive the cache.
// The mode must fit the sink count (sink: S >= 1, window: S = 0).
Result<SinkRingCacheConfig> kv_cache_config_for_model(const ModelConfig &model, const PlanInputs &plan_inputs,
                                                      KvCacheMode mode, const float *rope_freq_factors);

}  // namespace ballast
