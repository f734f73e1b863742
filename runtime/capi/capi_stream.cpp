// C API of the stream driver (ballast_stream.h) over runtime/stream.
#include <cstring>
#include <memory>
#include <vector>

#include "runtime/capi/ballast_stream.h"
#include "runtime/capi/capi_errors.h"
#include "runtime/capi/capi_handles.h"
#include "runtime/capi/capi_params.h"
#include "runtime/stream/stream_driver.h"
#include "runtime/stream/transcript_line.h"

struct ballast_stream {
  std::unique_ptr<ballast::StreamDriver> driver;
  std::vector<char> clean;    // [3 * kMaxLineBytes + 4] cleaned line
  std::vector<char> summary;  // summary text + NUL
  mutable char last_error[ballast::capi::kErrorMessageBytes] = "";
};

namespace {

constexpr size_t kMaxLineBytes = 1u << 20;

using ballast::capi::guarded;
using ballast::capi::record_error;
using ballast::capi::record_status;

}  // namespace

extern "C" {

ballast_stream_params ballast_stream_default_params(void) {
  ballast_stream_params p;
  p.session = ballast::capi::default_session_params();
  p.session.sampling.temperature = 0.0f;
  const ballast::StreamParams defaults;
  p.summary_max_tokens = defaults.summary_max_tokens;
  p.memory_max_tokens = defaults.memory_max_tokens;
  p.instruction = nullptr;
  p.use_chat_template = defaults.use_chat_template;
  return p;
}

ballast_status ballast_stream_create(const ballast_model *model, const ballast_stream_params *params,
                                     ballast_stream **out_stream) {
  return guarded("ballast_stream_create", nullptr, [&]() -> ballast_status {
    if (out_stream == nullptr) return record_error(BALLAST_ERROR_INVALID_ARGUMENT, nullptr, "ballast_stream_create: out_stream is NULL");
    *out_stream = nullptr;
    if (model == nullptr) return record_error(BALLAST_ERROR_INVALID_ARGUMENT, nullptr, "ballast_stream_create: model is NULL");
    const ballast_stream_params p = params != nullptr ? *params : ballast_stream_default_params();
    ballast::Result<ballast::SessionParams> session_params = ballast::capi::to_session_params(p.session);
    if (!session_params.is_ok()) return record_status(session_params.status(), nullptr);
    ballast::StreamParams stream_params;
    stream_params.summary_max_tokens = p.summary_max_tokens;
    stream_params.memory_max_tokens = p.memory_max_tokens;
    if (p.instruction != nullptr) stream_params.instruction = p.instruction;
    stream_params.use_chat_template = p.use_chat_template;
    stream_params.sampling = session_params.value().sampling;
    auto driver = ballast::StreamDriver::create(*model->model, session_params.value(), stream_params);
    if (!driver.is_ok()) return record_status(driver.status(), nullptr);
    auto stream = std::make_unique<ballast_stream>();
    stream->driver = std::move(driver).value();
    stream->clean.resize(3 * kMaxLineBytes + 4);
    stream->summary.resize(size_t{p.summary_max_tokens} * 64 + 64);
    *out_stream = stream.release();
    return BALLAST_OK;
  });
}

void ballast_stream_free(ballast_stream *stream) { delete stream; }

const char *ballast_stream_last_error(const ballast_stream *stream) {
  return stream != nullptr ? stream->last_error : "";
}

ballast_status ballast_stream_feed_line(ballast_stream *stream, const char *line, size_t line_len, bool *is_control) {
  if (stream == nullptr) return record_error(BALLAST_ERROR_INVALID_ARGUMENT, nullptr, "ballast_stream_feed_line: stream is NULL");
  return guarded("ballast_stream_feed_line", stream->last_error, [&]() -> ballast_status {
    if (is_control != nullptr) *is_control = false;
    if (line == nullptr && line_len > 0) {
      return record_error(BALLAST_ERROR_INVALID_ARGUMENT, stream->last_error, "ballast_stream_feed_line: line is NULL");
    }
    if (line_len > kMaxLineBytes) {
      return record_error(BALLAST_ERROR_INVALID_ARGUMENT, stream->last_error,
                          "ballast_stream_feed_line: line of %zu bytes exceeds %zu (split it)", line_len, kMaxLineBytes);
    }
    const ballast::TranscriptLine info =
        ballast::clean_transcript_line(line, line_len, stream->clean.data(), stream->clean.size());
    ballast::StreamCounters &c = stream->driver->counters();
    if (info.is_control) {
      if (is_control != nullptr) *is_control = true;
      return BALLAST_OK;
    }
    if (info.has_timestamps) c.transcript_seconds = info.end_seconds;
    ballast::Status fed = stream->driver->feed_text(std::string_view(stream->clean.data(), info.text_bytes));
    return fed.is_ok() ? BALLAST_OK : record_status(fed, stream->last_error);
  });
}

ballast_status ballast_stream_feed_tokens(ballast_stream *stream, const int32_t *tokens, size_t n_tokens) {
  if (stream == nullptr) return record_error(BALLAST_ERROR_INVALID_ARGUMENT, nullptr, "ballast_stream_feed_tokens: stream is NULL");
  return guarded("ballast_stream_feed_tokens", stream->last_error, [&]() -> ballast_status {
    if (tokens == nullptr && n_tokens > 0) {
      return record_error(BALLAST_ERROR_INVALID_ARGUMENT, stream->last_error, "ballast_stream_feed_tokens: tokens is NULL");
    }
    ballast::Status fed = stream->driver->feed_tokens(tokens, n_tokens);
    return fed.is_ok() ? BALLAST_OK : record_status(fed, stream->last_error);
  });
}

ballast_status ballast_stream_summarize(ballast_stream *stream, const char **text, size_t *text_len) {
  if (stream == nullptr) return record_error(BALLAST_ERROR_INVALID_ARGUMENT, nullptr, "ballast_stream_summarize: stream is NULL");
  return guarded("ballast_stream_summarize", stream->last_error, [&]() -> ballast_status {
    ballast::Status done = stream->driver->summarize();
    if (!done.is_ok()) return record_status(done, stream->last_error);
    std::string_view s = stream->driver->summary_text();
    const size_t n = s.size() < stream->summary.size() - 1 ? s.size() : stream->summary.size() - 1;
    std::memcpy(stream->summary.data(), s.data(), n);
    stream->summary[n] = '\0';
    if (text != nullptr) *text = stream->summary.data();
    if (text_len != nullptr) *text_len = n;
    return BALLAST_OK;
  });
}

ballast_status ballast_stream_set_input_offset(ballast_stream *stream, uint64_t offset) {
  if (stream == nullptr) return record_error(BALLAST_ERROR_INVALID_ARGUMENT, nullptr, "ballast_stream_set_input_offset: stream is NULL");
  stream->driver->counters().input_offset = offset;
  return BALLAST_OK;
}

ballast_status ballast_stream_save(ballast_stream *stream, const char *path) {
  if (stream == nullptr || path == nullptr) {
    return record_error(BALLAST_ERROR_INVALID_ARGUMENT, stream ? stream->last_error : nullptr, "ballast_stream_save: NULL argument");
  }
  return guarded("ballast_stream_save", stream->last_error, [&]() -> ballast_status {
    ballast::Status st = stream->driver->set_state_path(path);
    if (st.is_ok()) st = stream->driver->save_checkpoint();
    return st.is_ok() ? BALLAST_OK : record_status(st, stream->last_error);
  });
}

ballast_status ballast_stream_load(ballast_stream *stream, const char *path) {
  if (stream == nullptr || path == nullptr) {
    return record_error(BALLAST_ERROR_INVALID_ARGUMENT, stream ? stream->last_error : nullptr, "ballast_stream_load: NULL argument");
  }
  return guarded("ballast_stream_load", stream->last_error, [&]() -> ballast_status {
    ballast::Status st = stream->driver->set_state_path(path);
    if (st.is_ok()) st = stream->driver->load_checkpoint();
    return st.is_ok() ? BALLAST_OK : record_status(st, stream->last_error);
  });
}

ballast_status ballast_stream_get_stats(const ballast_stream *stream, ballast_stream_stats *out) {
  if (stream == nullptr || out == nullptr) {
    return record_error(BALLAST_ERROR_INVALID_ARGUMENT, nullptr, "ballast_stream_get_stats: NULL argument");
  }
  const ballast::StreamCounters &c = stream->driver->counters();
  const ballast::SessionStats &s = stream->driver->session().stats();
  out->transcript_tokens = c.transcript_tokens;
  out->lines = c.lines;
  out->summaries = c.summaries;
  out->memory_tokens = c.memory_tokens;
  out->input_offset = c.input_offset;
  out->evictions = s.evictions;
  out->arena_bytes = s.arena_bytes;
  out->state_bytes = stream->driver->state_payload_bytes();
  return BALLAST_OK;
}

}  // extern "C"
