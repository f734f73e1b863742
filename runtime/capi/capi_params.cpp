#include "runtime/capi/capi_params.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace ballast::capi {
namespace {

constexpr int32_t kMaxSinks = 64;
constexpr uint32_t kMaxWindow = 1u << 24;   // 16M slots, as the CLI allows
constexpr uint32_t kMaxThreads = 256;
constexpr uint32_t kMaxBatch = 4096;

Status field_error(const char *field, const char *value_text, const char *allowed) {
  return make_status(StatusCode::invalid_argument, "session params: %s = %s is outside %s", field, value_text, allowed);
}

Status check_int_range(const char *field, int64_t value, int64_t min, int64_t max) {
  if (value >= min && value <= max) return Status::ok();
  char value_text[32], allowed[64];
  std::snprintf(value_text, sizeof(value_text), "%lld", static_cast<long long>(value));
  std::snprintf(allowed, sizeof(allowed), "%lld..%lld", static_cast<long long>(min), static_cast<long long>(max));
  return field_error(field, value_text, allowed);
}

Status check_float_range(const char *field, float value, float min, float max, bool min_exclusive) {
  const bool above_min = min_exclusive ? value > min : value >= min;
  if (std::isfinite(value) && above_min && value <= max) return Status::ok();
  char value_text[32], allowed[64];
  std::snprintf(value_text, sizeof(value_text), "%g", static_cast<double>(value));
  std::snprintf(allowed, sizeof(allowed), "%s%g, %g]", min_exclusive ? "(" : "[", static_cast<double>(min),
                static_cast<double>(max));
  return field_error(field, value_text, allowed);
}

// A C caller may store any int in an enum field; in C++ loading a value
// outside the enumerators is undefined, so the field is read as its bytes.
template <typename Enum>
int enum_field_value(const Enum &field) {
  static_assert(sizeof(Enum) == sizeof(int), "C enums are int-sized on every ABI Ballast targets");
  int value = 0;
  std::memcpy(&value, &field, sizeof(value));
  return value;
}

Result<KvType> to_kv_type(const ballast_kv_type &field) {
  const int value = enum_field_value(field);
  if (value == BALLAST_KV_F16) return KvType::f16;
  if (value == BALLAST_KV_F32) return KvType::f32;
  return make_status(StatusCode::invalid_argument, "session params: kv_type = %d is not a ballast_kv_type (0 = F16, 1 = F32)",
                     value);
}

Result<KvCacheMode> to_cache_mode(const ballast_cache_mode &field) {
  const int value = enum_field_value(field);
  if (value == BALLAST_CACHE_SINK) return KvCacheMode::sink;
  if (value == BALLAST_CACHE_WINDOW) return KvCacheMode::window;
  if (value == BALLAST_CACHE_DENSE) return KvCacheMode::dense;
  if (value == BALLAST_CACHE_RECOMPUTE) return KvCacheMode::recompute;
  return make_status(StatusCode::invalid_argument,
                     "session params: mode = %d is not a ballast_cache_mode (0 sink, 1 window, 2 dense, 3 recompute)",
                     value);
}

Result<PrefillBackendChoice> to_prefill_backend(const ballast_prefill_backend &field) {
  const int value = enum_field_value(field);
  if (value == BALLAST_PREFILL_AUTO) return PrefillBackendChoice::automatic;
  if (value == BALLAST_PREFILL_NATIVE) return PrefillBackendChoice::native;
  if (value == BALLAST_PREFILL_ONEDNN) return PrefillBackendChoice::onednn;
  if (value == BALLAST_PREFILL_XNNPACK) return PrefillBackendChoice::xnnpack;
  return make_status(StatusCode::invalid_argument,
                     "session params: prefill_backend = %d is not a ballast_prefill_backend (0 auto, 1 native, 2 onednn, "
                     "3 xnnpack)",
                     value);
}

}  // namespace

ballast_sampling_params default_sampling_params() {
  const SamplerParams defaults;
  ballast_sampling_params p;
  p.temperature = defaults.temperature;
  p.top_k = defaults.top_k;
  p.top_p = defaults.top_p;
  p.min_p = defaults.min_p;
  p.repeat_penalty = defaults.repeat_penalty;
  p.repeat_last_n = defaults.repeat_last_n;
  p.seed = defaults.seed;
  return p;
}

ballast_session_params default_session_params() {
  const SessionParams defaults;
  ballast_session_params p;
  p.sinks = defaults.sinks;
  p.window = defaults.window;
  p.threads = defaults.threads;
  p.batch = defaults.batch;
  p.kv_type = defaults.kv_type == KvType::f32 ? BALLAST_KV_F32 : BALLAST_KV_F16;
  p.mode = BALLAST_CACHE_SINK;
  p.lock_memory = defaults.lock_memory;
  p.huge_pages = defaults.huge_pages;
  p.ignore_eos = false;
  p.sampling = default_sampling_params();
  p.prefill_backend = BALLAST_PREFILL_AUTO;
  p.repack_weights = defaults.repack_weights;
  return p;
}

Result<SessionParams> to_session_params(const ballast_session_params &in) {
  SessionParams out;
  BALLAST_RETURN_IF_ERROR(check_int_range("sinks", in.sinks, -1, kMaxSinks));
  BALLAST_RETURN_IF_ERROR(check_int_range("window", in.window, 1, kMaxWindow));
  BALLAST_RETURN_IF_ERROR(check_int_range("threads", in.threads, 1, kMaxThreads));
  BALLAST_RETURN_IF_ERROR(check_int_range("batch", in.batch, 1, kMaxBatch));
  BALLAST_ASSIGN_OR_RETURN(out.kv_type, to_kv_type(in.kv_type));
  BALLAST_ASSIGN_OR_RETURN(out.mode, to_cache_mode(in.mode));
  BALLAST_ASSIGN_OR_RETURN(out.prefill_backend, to_prefill_backend(in.prefill_backend));
  if (out.mode == KvCacheMode::window && in.sinks > 0) {
    return make_status(StatusCode::invalid_argument,
                       "session params: mode WINDOW keeps no sinks, but sinks = %d (use -1 or 0)", in.sinks);
  }
  const ballast_sampling_params &s = in.sampling;
  BALLAST_RETURN_IF_ERROR(check_float_range("sampling.temperature", s.temperature, 0.0f, 1e6f, false));
  BALLAST_RETURN_IF_ERROR(check_int_range("sampling.top_k", s.top_k, 0, INT32_MAX));
  BALLAST_RETURN_IF_ERROR(check_float_range("sampling.top_p", s.top_p, 0.0f, 1.0f, false));
  BALLAST_RETURN_IF_ERROR(check_float_range("sampling.min_p", s.min_p, 0.0f, 1.0f, false));
  BALLAST_RETURN_IF_ERROR(check_float_range("sampling.repeat_penalty", s.repeat_penalty, 0.0f, 1e6f, true));
  BALLAST_RETURN_IF_ERROR(check_int_range("sampling.repeat_last_n", s.repeat_last_n, -1, INT32_MAX));
  out.sinks = in.sinks;
  out.window = in.window;
  out.threads = in.threads;
  out.batch = in.batch;
  out.lock_memory = in.lock_memory;
  out.huge_pages = in.huge_pages;
  out.repack_weights = in.repack_weights;
  out.all_logits = false;
  out.sampling.temperature = s.temperature;
  out.sampling.top_k = s.top_k;
  out.sampling.top_p = s.top_p;
  out.sampling.min_p = s.min_p;
  out.sampling.repeat_penalty = s.repeat_penalty;
  out.sampling.repeat_last_n = s.repeat_last_n;
  out.sampling.seed = s.seed;
  return out;
}

}  // namespace ballast::capi
