#include "runtime/engine/session.h"

#include <cstdlib>
#include <cstring>

#include "kernels/dispatch/kernel_table.h"
#include "platform/monotonic_clock.h"
#include "runtime/kv_cache/kv_cache_config.h"

namespace ballast {
namespace {

constexpr uint32_t kDefaultSinks = 4;

// Sinks and mode as the user asked, reconciled with what the model declares.
Result<PlanInputs> resolve_plan_inputs(const ModelConfig &config, SessionParams *params) {
  PlanInputs in;
  if (params->sinks < -1 || params->sinks > 64) {
    return make_status(StatusCode::invalid_argument, "sinks must be -1 (model default) or 0..64, got %d", params->sinks);
  }
  uint32_t sinks = kDefaultSinks;
  if (params->sinks >= 0) {
    sinks = static_cast<uint32_t>(params->sinks);
  } else if (config.sink_slots > 0) {
    sinks = config.sink_slots;
  }
  if (params->mode == KvCacheMode::window) {
    if (params->sinks > 0) {
      return make_status(StatusCode::invalid_argument, "mode 'window' keeps no sinks, but %d sinks were asked for",
                         params->sinks);
    }
    sinks = 0;
  } else if (params->mode == KvCacheMode::sink && sinks == 0) {
    params->mode = KvCacheMode::window;  // sink mode with zero sinks is the window baseline
  }
  in.sink_slots = sinks;
  in.window = params->window;
  in.threads = params->threads;
  in.max_prefill_batch = params->batch;
  in.logit_rows = params->all_logits ? params->batch : 1;
  in.kv_type = params->kv_type;
  return in;
}

// Everything the plan depends on, with the environment's overrides applied
// to *params.
Result<PlanInputs> resolve_session(const Model &model, SessionParams *params) {
  BALLAST_ASSIGN_OR_RETURN(PlanInputs inputs, resolve_plan_inputs(model.config, params));
  BALLAST_ASSIGN_OR_RETURN(params->prefill_backend, resolve_prefill_choice(params->prefill_backend));
  BALLAST_ASSIGN_OR_RETURN(params->repack_weights, resolve_repack_weights(params->repack_weights));
  inputs.prefill_backend = ForwardPass::uses_prefill_backend(model, params->prefill_backend, inputs.max_prefill_batch,
                                                             params->repack_weights);
  if (params->repack_weights) {
    BALLAST_ASSIGN_OR_RETURN(inputs.repacked_weight_bytes, ForwardPass::repacked_weight_bytes(model));
  }
  return inputs;
}

template <typename T>
T *region_as(const ArenaRegion *regions, size_t count, const char *name) {
  for (size_t i = 0; i < count; ++i) {
    if (std::string_view(regions[i].name) == name) return reinterpret_cast<T *>(regions[i].data);
  }
  return nullptr;
}

}  // namespace

Result<std::unique_ptr<Session>> Session::create(const Model &model, const SessionParams &requested) {
  std::unique_ptr<Session> s(new Session());
  s->model_ = &model;
  s->params_ = requested;
  BALLAST_ASSIGN_OR_RETURN(PlanInputs inputs, resolve_session(model, &s->params_));
  BALLAST_ASSIGN_OR_RETURN(s->plan_, plan_memory(model.config, inputs));

  ReservationOptions options;
  options.lock = s->params_.lock_memory;
  options.huge_pages = s->params_.huge_pages;
  options.prefault = true;  // commit now: a session must not fail for memory later
  BALLAST_ASSIGN_OR_RETURN(s->reservation_, MemoryReservation::reserve(s->plan_.total_bytes, options));
  s->arena_ = Arena(s->reservation_.data(), s->reservation_.size());

  ArenaRegion regions[16];
  BALLAST_RETURN_IF_ERROR(carve_plan(s->arena_, s->plan_, regions, 16));
  const size_t n_regions = s->plan_.regions.size();

  BALLAST_ASSIGN_OR_RETURN(SinkRingCacheStorage storage, kv_cache_storage_from_regions(regions, n_regions));
  BALLAST_ASSIGN_OR_RETURN(SinkRingCacheConfig cache_config,
                           kv_cache_config_for_model(model.config, inputs, s->params_.mode,
                                                     model.weights.rope_freqs.present() ? model.weights.rope_freqs.f32()
                                                                                        : nullptr));
  BALLAST_ASSIGN_OR_RETURN(const KernelTable *kernels, host_kernel_table());
  cache_config.rope_kernels = kernels->rope;
  if (const QuantizedMatmulKernels *f16 = kernels->matmul_kernels(TensorType::f16);
      f16 != nullptr && f16->activation == ActivationType::f16) {
    cache_config.f16_row = f16->quantize_activations;  // SIMD where the table has it, the scalar bytes
  }
  s->cache_ = SinkRingCache::create(cache_config, storage);
  if (!s->cache_.is_ok()) return s->cache_.status();

  ForwardBuffers buffers;
  buffers.activations = region_as<float>(regions, n_regions, "activations");
  buffers.converted = region_as<uint8_t>(regions, n_regions, "activations_converted");
  buffers.attention_scratch = region_as<float>(regions, n_regions, "thread_scratch");
  buffers.attention_scratch_floats = uint64_t{inputs.sink_slots} + inputs.window;
  buffers.max_batch = inputs.max_prefill_batch;
  buffers.threads = inputs.threads;
  buffers.attention_scratch_stride = s->plan_.find("thread_scratch")->bytes / inputs.threads / sizeof(float);
  buffers.prefill_choice = s->params_.prefill_backend;
  if (inputs.prefill_backend) {
    // Every pool thread calls the backend on its own weight slices, each call
    // single-threaded (backend_linear.h): no second thread team next to the
    // pool (oneDNN's OpenMP team beside it made 2-thread prefill 4x slower,
    // docs/PERFORMANCE.md, "Prefill backends").
    s->prefill_backends_ = std::make_unique<PrefillBackendSet>(inputs.threads);
    buffers.prefill_backends = s->prefill_backends_.get();
    buffers.prefill_scratch =
        carve_prefill_scratch(region_as<uint8_t>(regions, n_regions, "prefill_backend_scratch"), kPrefillSliceBytes,
                              inputs.max_prefill_batch, widest_activation_row(model.config), inputs.threads);
  }
  buffers.repacked_weights = region_as<uint8_t>(regions, n_regions, "repacked_weights");
  buffers.repacked_weight_bytes = inputs.repacked_weight_bytes;
  if (inputs.repacked_weight_bytes == 0) buffers.repacked_weights = nullptr;
  s->forward_ = ForwardPass::create(model, &s->cache_.value(), buffers);
  if (!s->forward_.is_ok()) return s->forward_.status();

  s->logits_ = region_as<float>(regions, n_regions, "logits");
  s->last_logits_ = s->logits_;
  s->token_scratch_ = region_as<int32_t>(regions, n_regions, "token_scratch");
  const PlanRegion *sampler_region = s->plan_.find("sampler");
  s->sampler_ = Sampler::create(s->params_.sampling, model.config.n_vocab, region_as<uint8_t>(regions, n_regions, "sampler"),
                                sampler_region->bytes);
  if (!s->sampler_.is_ok()) return s->sampler_.status();
  s->stats_.arena_bytes = s->plan_.total_bytes;
  return s;
}

Result<bool> resolve_repack_weights(bool requested) {
  const char *env = std::getenv("BALLAST_REPACK");
  if (env == nullptr || env[0] == '\0') return requested;
  if (std::strcmp(env, "0") == 0) return false;
  if (std::strcmp(env, "1") == 0) return true;
  return make_status(StatusCode::invalid_argument, "BALLAST_REPACK must be 0 or 1, got '%s'", env);
}

Result<MemoryPlan> Session::plan(const Model &model, const SessionParams &requested) {
  SessionParams params = requested;
  BALLAST_ASSIGN_OR_RETURN(PlanInputs inputs, resolve_session(model, &params));
  return plan_memory(model.config, inputs);
}

Status Session::run_chunk(const int32_t *tokens, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) {
    if (tokens[i] < 0 || static_cast<uint32_t>(tokens[i]) >= model_->config.n_vocab) {
      return make_status(StatusCode::invalid_argument, "token id %d is outside the vocabulary [0, %u)", tokens[i],
                         model_->config.n_vocab);
    }
  }
  SinkRingCache &cache = cache_.value();
  if (params_.mode == KvCacheMode::dense && cache.cached_tokens() + uint64_t{n} > cache.capacity()) {
    return make_status(StatusCode::out_of_range, "dense mode: %u cached + %u new tokens exceed the capacity of %u",
                       cache.cached_tokens(), n, cache.capacity());
  }
  const int64_t start = monotonic_now_ns();
  for (uint32_t i = 0; i < n; ++i) {
    BALLAST_RETURN_IF_ERROR(cache.begin_token(tokens[i]).status());
  }
  BALLAST_RETURN_IF_ERROR(forward_->run(tokens, n, logits_, params_.all_logits));
  last_chunk_rows_ = params_.all_logits ? n : 1;
  last_logits_ = logits_ + (params_.all_logits ? uint64_t{n - 1} * model_->config.n_vocab : 0);
  const int64_t elapsed = monotonic_now_ns() - start;
  if (n == 1) {
    stats_.decode_tokens += 1;
    stats_.decode_ns += elapsed;
  } else {
    stats_.prefill_tokens += n;
    stats_.prefill_ns += elapsed;
  }
  return Status::ok();
}

Status Session::feed_recompute(int32_t token) {
  // The paper's baseline: the cache is rebuilt from the tokens it should hold
  // (sinks + the most recent window, the new token last) at every step.
  SinkRingCache &cache = cache_.value();
  const uint32_t capacity = cache.capacity();
  BALLAST_ASSIGN_OR_RETURN(uint32_t cached, cache.cached_token_ids(token_scratch_, capacity));
  const uint64_t next_index = cache.tokens_begun() + cache.layout().first_stream_index;
  if (cached == capacity) {
    // Evict the oldest window token (right after the sinks).
    const uint32_t sinks = cache.config().sink_slots;
    for (uint32_t i = sinks; i + 1 < cached; ++i) token_scratch_[i] = token_scratch_[i + 1];
    --cached;
  }
  token_scratch_[cached++] = token;
  cache.clear(next_index + 1 - cached);
  const uint32_t batch = params_.batch;
  for (uint32_t done = 0; done < cached; done += batch) {
    const uint32_t n = cached - done < batch ? cached - done : batch;
    BALLAST_RETURN_IF_ERROR(run_chunk(token_scratch_ + done, n));
  }
  return Status::ok();
}

Status Session::feed(const int32_t *tokens, uint64_t n) {
  const ModelConfig &config = model_->config;
  // A model trained with a dedicated sink token expects it first in the stream.
  if (n > 0 && stats_.tokens_seen == 0 && config.sink_token_id >= 0 && tokens[0] != config.sink_token_id &&
      params_.mode != KvCacheMode::recompute) {
    const int32_t sink = config.sink_token_id;
    BALLAST_RETURN_IF_ERROR(run_chunk(&sink, 1));
    stats_.tokens_seen += 1;
  }
  for (uint64_t done = 0; done < n;) {
    if (params_.mode == KvCacheMode::recompute) {
      BALLAST_RETURN_IF_ERROR(feed_recompute(tokens[done]));
      done += 1;
      stats_.tokens_seen += 1;
      continue;
    }
    const uint32_t chunk = static_cast<uint32_t>(n - done < params_.batch ? n - done : params_.batch);
    BALLAST_RETURN_IF_ERROR(run_chunk(tokens + done, chunk));
    done += chunk;
    stats_.tokens_seen += chunk;
  }
  // Every token fed that is no longer cached was evicted (recompute mode
  // rebuilds its cache, so the cache's own counter restarts there).
  stats_.cached_tokens = cache_->cached_tokens();
  stats_.evictions = stats_.tokens_seen - stats_.cached_tokens;
  return Status::ok();
}

int32_t Session::sample() {
  const SinkRingCache &cache = cache_.value();
  Result<uint32_t> cached = cache.cached_token_ids(token_scratch_, cache.capacity() + 1);
  const int64_t history = cached.is_ok() ? cached.value() : 0;
  return sampler_->sample(last_logits_, token_scratch_, history);
}

void Session::reset() {
  cache_->clear();
  stats_.tokens_seen = 0;
  stats_.evictions = 0;
  stats_.cached_tokens = 0;
}

namespace {

// Snapshot blob: SnapshotHeader, then the five cache regions in storage
// order, then the session stats, then the last logits f32 [n_vocab].
struct SnapshotHeader {
  uint64_t region_bytes[5];
  uint64_t n_vocab;
  SinkRingCache::Counters counters;
};

void region_list(const SinkRingCacheStorage &st, ByteSpan out[5]) {
  out[0] = st.sinks;
  out[1] = st.ring;
  out[2] = st.sink_keys_rotated;
  out[3] = st.slot_table;
  out[4] = st.rope_state;
}

}  // namespace

uint64_t Session::state_bytes() const {
  ByteSpan regions[5];
  region_list(cache_->storage(), regions);
  uint64_t total = sizeof(SnapshotHeader) + sizeof(SessionStats) + uint64_t{model_->config.n_vocab} * sizeof(float);
  for (const ByteSpan &r : regions) total += r.bytes;
  return total;
}

Status Session::save_state(uint8_t *dst, uint64_t size) const {
  if (size < state_bytes()) {
    return make_status(StatusCode::invalid_argument, "session snapshot needs %llu bytes, got %llu",
                       static_cast<unsigned long long>(state_bytes()), static_cast<unsigned long long>(size));
  }
  ByteSpan regions[5];
  region_list(cache_->storage(), regions);
  SnapshotHeader header{};
  for (int i = 0; i < 5; ++i) header.region_bytes[i] = regions[i].bytes;
  header.n_vocab = model_->config.n_vocab;
  header.counters = cache_->counters();
  uint8_t *p = dst;
  std::memcpy(p, &header, sizeof(header));
  p += sizeof(header);
  for (const ByteSpan &r : regions) {
    if (r.bytes > 0) std::memcpy(p, r.data, r.bytes);
    p += r.bytes;
  }
  std::memcpy(p, &stats_, sizeof(stats_));
  p += sizeof(stats_);
  std::memcpy(p, last_logits_, uint64_t{model_->config.n_vocab} * sizeof(float));
  return Status::ok();
}

Status Session::restore_state(const uint8_t *src, uint64_t size) {
  if (size != state_bytes()) {
    return make_status(StatusCode::invalid_argument, "session snapshot is %llu bytes, this session's is %llu",
                       static_cast<unsigned long long>(size), static_cast<unsigned long long>(state_bytes()));
  }
  ByteSpan regions[5];
  region_list(cache_->storage(), regions);
  SnapshotHeader header;
  std::memcpy(&header, src, sizeof(header));
  for (int i = 0; i < 5; ++i) {
    if (header.region_bytes[i] != regions[i].bytes) {
      return make_status(StatusCode::invalid_argument, "session snapshot region %d is %llu bytes, this session's is %llu",
                         i, static_cast<unsigned long long>(header.region_bytes[i]),
                         static_cast<unsigned long long>(regions[i].bytes));
    }
  }
  if (header.n_vocab != model_->config.n_vocab) {
    return make_status(StatusCode::invalid_argument, "session snapshot vocabulary %llu differs from the model's %u",
                       static_cast<unsigned long long>(header.n_vocab), model_->config.n_vocab);
  }
  const uint8_t *p = src + sizeof(header);
  for (const ByteSpan &r : regions) {
    if (r.bytes > 0) std::memcpy(r.data, p, r.bytes);
    p += r.bytes;
  }
  cache_->restore_counters(header.counters);
  const uint64_t arena_bytes = stats_.arena_bytes;
  std::memcpy(&stats_, p, sizeof(stats_));
  stats_.arena_bytes = arena_bytes;
  p += sizeof(stats_);
  std::memcpy(logits_, p, uint64_t{model_->config.n_vocab} * sizeof(float));
  last_logits_ = logits_;
  last_chunk_rows_ = 1;
  return Status::ok();
}

}  // namespace ballast
