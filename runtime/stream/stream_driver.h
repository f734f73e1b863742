// The stream driver: one endless transcript through one session, with
// summaries on demand and crash-safe checkpoints. Everything it needs is
// allocated in create(); feed_text() (tokenizing with a workspace reserved
// there), feed_tokens(), summarize(), save_checkpoint() and load_checkpoint()
// never allocate. A text longer than StreamParams::max_text_bytes is still
// fed, but grows the tokenizer buffers once (they keep that size).
//
// Summaries leave no trace in the transcript cache: summarize() snapshots the
// session (Session::save_state, a second copy of the KV cache made at
// creation), feeds the summary prompt, generates up to summary_max_tokens,
// then restores the snapshot. The summary's tokens then become the rolling
// memory: memory_prefix + summary + memory_suffix is fed into the window as
// part of the stream, so the gist survives after the transcript it came from
// has been evicted. Each summary reseeds the sampler with seed + summary
// index, so a resumed stream samples exactly as an uninterrupted one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "models/tokenizer/stream_detokenizer.h"
#include "models/tokenizer/tokenizer_workspace.h"
#include "runtime/engine/model.h"
#include "runtime/engine/session.h"
#include "runtime/sampler/sampler.h"
#include "runtime/stream/summary_prompt.h"

namespace ballast {

struct StreamParams {
  uint32_t summary_max_tokens = 48;  // tokens generated per summary
  uint32_t memory_max_tokens = 64;   // tokens of the latest summary kept as rolling memory
  std::string instruction = "Summarise the transcript so far in one or two sentences.";
  bool use_chat_template = true;     // false: always the plain template
  // Longest text feed_text() tokenizes without allocating, in bytes: the
  // tokenizer workspace and id buffer are reserved for it at create(). The
  // default is the cleaned form of a 4096-byte input line (3 * 4096 + 4,
  // what an InputQueue slot of `ballast stream` holds by default).
  size_t max_text_bytes = 3 * 4096 + 4;
  SamplerParams sampling;            // for summaries (seed: reseeded per summary)
};

// Counters saved in checkpoints (plain data, copied as bytes).
struct StreamCounters {
  uint64_t transcript_tokens = 0;   // transcript tokens fed (not counting memory re-feeds)
  uint64_t input_offset = 0;        // input bytes consumed through the last fed line
  uint64_t summaries = 0;           // summaries written
  uint64_t last_summary_at = 0;     // transcript_tokens at the last summary
  uint64_t last_checkpoint_at = 0;  // transcript_tokens at the last checkpoint
  uint64_t memory_tokens = 0;       // valid entries of the rolling memory
  uint64_t lines = 0;               // transcript lines fed
  double transcript_seconds = -1;   // end time of the last timestamped line (-1: none)
};

class StreamDriver {
 public:
  static Result<std::unique_ptr<StreamDriver>> create(const Model &model, const SessionParams &session_params,
                                                      const StreamParams &params);

  // One cleaned transcript line (see transcript_line.h).
  Status feed_text(std::string_view text);
  Status feed_tokens(const int32_t *ids, uint64_t n);

  // Writes a summary of the window; the text is summary_text() until the next one.
  Status summarize();
  std::string_view summary_text() const { return std::string_view(summary_text_.data(), summary_bytes_); }

  // Checkpoints: payload = counters + rolling memory + session snapshot.
  // `path` is fixed at set_state_path() (the temp/dir names are built there).
  Status set_state_path(const std::string &path);
  Status save_checkpoint();
  // Restores from the state file; io_error "no state file ..." if absent.
  Status load_checkpoint();

  StreamCounters &counters() { return counters_; }
  const StreamCounters &counters() const { return counters_; }
  Session &session() { return *session_; }
  const Session &session() const { return *session_; }
  PromptStyle prompt_style() const { return style_; }
  uint64_t model_hash() const { return model_hash_; }
  uint64_t config_hash() const { return config_hash_; }
  uint64_t state_payload_bytes() const { return payload_.size(); }

 private:
  StreamDriver() = default;
  Status feed_memory();
  void append_summary_text(const char *piece, size_t n);

  const Model *model_ = nullptr;
  std::unique_ptr<Session> session_;
  StreamParams params_;
  PromptStyle style_ = PromptStyle::plain;
  SummaryPromptText prompt_;
  std::vector<int32_t> before_summary_ids_;
  std::vector<int32_t> memory_prefix_ids_;
  std::vector<int32_t> memory_suffix_ids_;
  std::vector<int32_t> memory_ids_;       // [memory_max_tokens]
  std::vector<int32_t> summary_ids_;      // [summary_max_tokens]
  std::vector<int32_t> history_;          // [cache capacity + 1] for the repetition penalty
  std::vector<int32_t> line_ids_;         // [max_encode_ids(max_text_bytes + 1)] tokenizer output
  std::string line_text_;                 // [max_text_bytes + 1] " " + line for tokenizers without a space prefix
  TokenizerWorkspace tokenizer_ws_;       // reserved for max_text_bytes + 1 bytes
  std::vector<uint8_t> snapshot_;         // [session state bytes] the cache before a summary
  std::vector<uint8_t> sampler_workspace_;
  std::unique_ptr<Sampler> sampler_;
  std::unique_ptr<StreamDetokenizer> detokenizer_;
  std::vector<char> piece_;               // [detokenizer max output]
  std::vector<char> summary_text_;        // [summary_max_tokens * max piece + 8]
  size_t summary_bytes_ = 0;
  std::vector<uint8_t> payload_;          // [checkpoint payload bytes]
  std::string state_path_, state_tmp_path_, state_dir_;
  uint64_t model_hash_ = 0;
  uint64_t config_hash_ = 0;
  StreamCounters counters_;
};

}  // namespace ballast
