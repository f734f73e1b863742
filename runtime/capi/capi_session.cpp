// C API: sessions: create/free, feeding, logits, sampling, generation, stats.
#include <memory>
#include <string_view>
#include <vector>

#include "runtime/capi/ballast.h"
#include "runtime/capi/capi_errors.h"
#include "runtime/capi/capi_handles.h"
#include "runtime/capi/capi_params.h"

using ballast::capi::guarded;
using ballast::capi::record_error;
using ballast::capi::record_status;

namespace {

// Logits exist once a token went through the cache since creation/reset.
bool has_logits(const ballast_session *s) { return s->session->stats().tokens_seen > 0; }

ballast_status null_session(const char *function) {
  return record_error(BALLAST_ERROR_INVALID_ARGUMENT, nullptr, "%s: session is NULL", function);
}

ballast_status nothing_fed(const ballast_session *s, const char *function) {
  return record_error(BALLAST_ERROR_INVALID_STATE, s->last_error,
                      "%s: no logits yet: feed at least one token after creating or resetting the session", function);
}

}  // namespace

extern "C" {

BALLAST_API ballast_sampling_params ballast_sampling_default_params(void) {
  return ballast::capi::default_sampling_params();
}

BALLAST_API ballast_session_params ballast_session_default_params(void) {
  return ballast::capi::default_session_params();
}

BALLAST_API ballast_status ballast_session_plan_bytes(const ballast_model *model, const ballast_session_params *params,
                                                      uint64_t *out_bytes) {
  return guarded("ballast_session_plan_bytes", nullptr, [&]() -> ballast_status {
    if (model == nullptr || out_bytes == nullptr) {
      return record_error(BALLAST_ERROR_INVALID_ARGUMENT, nullptr, "ballast_session_plan_bytes: %s is NULL",
                          model == nullptr ? "model" : "out_bytes");
    }
    const ballast_session_params p = params != nullptr ? *params : ballast_session_default_params();
    ballast::Result<ballast::SessionParams> converted = ballast::capi::to_session_params(p);
    if (!converted.is_ok()) return record_status(converted.status(), nullptr);
    ballast::Result<ballast::MemoryPlan> plan = ballast::Session::plan(*model->model, converted.value());
    if (!plan.is_ok()) return record_status(plan.status(), nullptr);
    *out_bytes = plan.value().total_bytes;
    return BALLAST_OK;
  });
}

BALLAST_API ballast_status ballast_session_create(const ballast_model *model, const ballast_session_params *params,
                                                  ballast_session **out_session) {
  if (out_session != nullptr) *out_session = nullptr;
  return guarded("ballast_session_create", nullptr, [&]() -> ballast_status {
    if (model == nullptr || out_session == nullptr) {
      return record_error(BALLAST_ERROR_INVALID_ARGUMENT, nullptr, "ballast_session_create: %s is NULL",
                          model == nullptr ? "model" : "out_session");
    }
    const ballast_session_params p = params != nullptr ? *params : ballast_session_default_params();
    ballast::Result<ballast::SessionParams> converted = ballast::capi::to_session_params(p);
    if (!converted.is_ok()) return record_status(converted.status(), nullptr);
    ballast::Result<std::unique_ptr<ballast::Session>> created =
        ballast::Session::create(*model->model, converted.value());
    if (!created.is_ok()) return record_status(created.status(), nullptr);
    *out_session = new ballast_session(model, std::move(created).value(), p.ignore_eos);
    return BALLAST_OK;
  });
}

BALLAST_API void ballast_session_free(ballast_session *session) { delete session; }

BALLAST_API const char *ballast_session_last_error(const ballast_session *session) {
  return session != nullptr ? session->last_error : "";
}

BALLAST_API ballast_status ballast_session_feed_tokens(ballast_session *session, const int32_t *tokens,
                                                       size_t n_tokens) {
  if (session == nullptr) return null_session("ballast_session_feed_tokens");
  return guarded("ballast_session_feed_tokens", session->last_error, [&]() -> ballast_status {
    if (tokens == nullptr && n_tokens > 0) {
      return record_error(BALLAST_ERROR_INVALID_ARGUMENT, session->last_error,
                          "ballast_session_feed_tokens: tokens is NULL with n_tokens = %zu", n_tokens);
    }
    const uint32_t n_vocab = session->owner->model->config.n_vocab;
    for (size_t i = 0; i < n_tokens; ++i) {
      if (tokens[i] < 0 || static_cast<uint32_t>(tokens[i]) >= n_vocab) {
        return record_error(BALLAST_ERROR_OUT_OF_RANGE, session->last_error,
                            "ballast_session_feed_tokens: tokens[%zu] = %d is outside the vocabulary [0, %u); nothing fed",
                            i, tokens[i], n_vocab);
      }
    }
    session->detokenizer.reset();
    return record_status(session->session->feed(tokens, n_tokens), session->last_error);
  });
}

BALLAST_API ballast_status ballast_session_feed_text(ballast_session *session, const char *text, size_t text_len,
                                                     bool add_special, bool parse_special) {
  if (session == nullptr) return null_session("ballast_session_feed_text");
  return guarded("ballast_session_feed_text", session->last_error, [&]() -> ballast_status {
    if (text == nullptr && text_len > 0) {
      return record_error(BALLAST_ERROR_INVALID_ARGUMENT, session->last_error,
                          "ballast_session_feed_text: text is NULL with text_len = %zu", text_len);
    }
    std::vector<int32_t> ids;
    const std::string_view view(text_len > 0 ? text : "", text_len);
    ballast::Status encoded = session->owner->model->tokenizer.encode(view, add_special, parse_special, &ids);
    if (!encoded.is_ok()) return record_status(encoded, session->last_error);
    session->detokenizer.reset();
    return record_status(session->session->feed(ids.data(), ids.size()), session->last_error);
  });
}

BALLAST_API ballast_status ballast_session_logits(const ballast_session *session, const float **out_logits,
                                                  int32_t *out_n_vocab) {
  if (session == nullptr) return null_session("ballast_session_logits");
  const ballast_session *s = session;
  return guarded("ballast_session_logits", s->last_error, [&]() -> ballast_status {
    if (out_logits == nullptr) {
      return record_error(BALLAST_ERROR_INVALID_ARGUMENT, s->last_error, "ballast_session_logits: out_logits is NULL");
    }
    *out_logits = nullptr;
    if (!has_logits(s)) return nothing_fed(s, "ballast_session_logits");
    *out_logits = s->session->logits();
    if (out_n_vocab != nullptr) *out_n_vocab = static_cast<int32_t>(s->owner->model->config.n_vocab);
    return BALLAST_OK;
  });
}

BALLAST_API ballast_status ballast_session_sample(ballast_session *session, int32_t *out_token) {
  if (session == nullptr) return null_session("ballast_session_sample");
  return guarded("ballast_session_sample", session->last_error, [&]() -> ballast_status {
    if (out_token == nullptr) {
      return record_error(BALLAST_ERROR_INVALID_ARGUMENT, session->last_error, "ballast_session_sample: out_token is NULL");
    }
    if (!has_logits(session)) return nothing_fed(session, "ballast_session_sample");
    *out_token = session->session->sample();
    return BALLAST_OK;
  });
}

BALLAST_API ballast_status ballast_session_generate(ballast_session *session, int64_t max_tokens,
                                                    ballast_token_callback callback, void *user_data,
                                                    ballast_generate_result *result) {
  if (result != nullptr) {
    result->n_tokens = 0;
    result->stop_reason = BALLAST_STOP_ERROR;
  }
  if (session == nullptr) return null_session("ballast_session_generate");
  uint64_t generated = 0;
  ballast_stop_reason reason = BALLAST_STOP_ERROR;
  const ballast_status status = guarded("ballast_session_generate", session->last_error, [&]() -> ballast_status {
    if (max_tokens < -1) {
      return record_error(BALLAST_ERROR_INVALID_ARGUMENT, session->last_error,
                          "ballast_session_generate: max_tokens = %lld (use -1 for no limit)",
                          static_cast<long long>(max_tokens));
    }
    if (!has_logits(session)) return nothing_fed(session, "ballast_session_generate");
    const ballast::Tokenizer &tokenizer = session->owner->model->tokenizer;
    char *piece = session->piece.data();
    const size_t piece_capacity = session->piece.size() - 1;  // room for the NUL
    reason = BALLAST_STOP_MAX_TOKENS;
    while (max_tokens < 0 || generated < static_cast<uint64_t>(max_tokens)) {
      const int32_t token = session->session->sample();
      if (!session->ignore_eos && tokenizer.is_end_of_generation(token)) {
        reason = BALLAST_STOP_END_OF_GENERATION;
        break;
      }
      size_t written = 0;
      ballast::Status pushed = session->detokenizer.push(token, piece, piece_capacity, &written);
      if (!pushed.is_ok()) {
        reason = BALLAST_STOP_ERROR;
        return record_status(pushed, session->last_error);
      }
      piece[written] = '\0';
      const int stop = callback != nullptr ? callback(piece, written, token, user_data) : 0;
      ++generated;
      ballast::Status fed = session->session->feed(&token, 1);
      if (!fed.is_ok()) {
        reason = BALLAST_STOP_ERROR;
        return record_status(fed, session->last_error);
      }
      if (stop != 0) {
        reason = BALLAST_STOP_CALLBACK;
        break;
      }
    }
    return BALLAST_OK;
  });
  if (status != BALLAST_OK) reason = BALLAST_STOP_ERROR;
  if (result != nullptr) {
    result->n_tokens = generated;
    result->stop_reason = reason;
  }
  return status;
}

BALLAST_API ballast_status ballast_session_get_stats(const ballast_session *session, ballast_session_stats *out_stats) {
  if (session == nullptr) return null_session("ballast_session_get_stats");
  if (out_stats == nullptr) {
    return record_error(BALLAST_ERROR_INVALID_ARGUMENT, session->last_error,
                        "ballast_session_get_stats: out_stats is NULL");
  }
  const ballast::SessionStats &st = session->session->stats();
  ballast_session_stats out;
  out.arena_bytes = st.arena_bytes;
  out.sink_slots = session->session->sink_slots();
  out.window = session->session->plan().inputs.window;
  out.tokens_seen = st.tokens_seen;
  out.evictions = st.evictions;
  out.cached_tokens = st.cached_tokens;
  out.prefill_tokens = st.prefill_tokens;
  out.prefill_seconds = static_cast<double>(st.prefill_ns) * 1e-9;
  out.prefill_tokens_per_second =
      out.prefill_seconds > 0 ? static_cast<double>(st.prefill_tokens) / out.prefill_seconds : 0.0;
  out.decode_tokens = st.decode_tokens;
  out.decode_seconds = static_cast<double>(st.decode_ns) * 1e-9;
  out.decode_tokens_per_second =
      out.decode_seconds > 0 ? static_cast<double>(st.decode_tokens) / out.decode_seconds : 0.0;
  *out_stats = out;
  return BALLAST_OK;
}

BALLAST_API ballast_status ballast_session_reset(ballast_session *session) {
  if (session == nullptr) return null_session("ballast_session_reset");
  session->session->reset();
  session->detokenizer.reset();
  return BALLAST_OK;
}

}  // extern "C"
