#include "runtime/stream/stream_driver.h"

#include <algorithm>
#include <cstring>

#include "runtime/stream/state_file.h"

namespace ballast {
namespace {

Status encode_text(const Tokenizer &tokenizer, const std::string &text, bool parse_special, TokenizerWorkspace *ws,
                   std::vector<int32_t> *out) {
  out->clear();
  return tokenizer.encode(text, false, parse_special, ws, out);
}

uint64_t hash_value(uint64_t hash, const void *data, size_t n) { return fnv1a64(data, n, hash); }

// Everything that must match for a checkpoint to continue this stream.
uint64_t stream_config_hash(const Session &session, const StreamParams &p, PromptStyle style) {
  const SessionParams &sp = session.params();
  const SinkRingCacheConfig &cc = session.cache().config();
  uint64_t h = kFnvOffset;
  const uint32_t shape[] = {cc.n_layer, cc.n_head_kv, cc.head_dim_k, cc.head_dim_v, cc.sink_slots, cc.window,
                            static_cast<uint32_t>(cc.kv_type), static_cast<uint32_t>(cc.mode), sp.batch,
                            p.summary_max_tokens, p.memory_max_tokens, static_cast<uint32_t>(style)};
  h = hash_value(h, shape, sizeof(shape));
  const float sampling[] = {p.sampling.temperature, p.sampling.top_p, p.sampling.min_p, p.sampling.repeat_penalty};
  h = hash_value(h, sampling, sizeof(sampling));
  const int64_t ints[] = {p.sampling.top_k, p.sampling.repeat_last_n, static_cast<int64_t>(p.sampling.seed)};
  h = hash_value(h, ints, sizeof(ints));
  h = hash_value(h, p.instruction.data(), p.instruction.size());
  return h;
}

}  // namespace

Result<std::unique_ptr<StreamDriver>> StreamDriver::create(const Model &model, const SessionParams &session_params,
                                                           const StreamParams &params) {
  if (params.summary_max_tokens == 0 || params.summary_max_tokens > 4096) {
    return make_status(StatusCode::invalid_argument, "summary tokens must be 1..4096, got %u", params.summary_max_tokens);
  }
  if (params.memory_max_tokens > 4096) {
    return make_status(StatusCode::invalid_argument, "memory tokens must be 0..4096, got %u", params.memory_max_tokens);
  }
  std::unique_ptr<StreamDriver> d(new StreamDriver());
  d->model_ = &model;
  d->params_ = params;
  BALLAST_ASSIGN_OR_RETURN(d->session_, Session::create(model, session_params));
  const Tokenizer &tokenizer = model.tokenizer;

  if (params.use_chat_template) {
    Result<std::string_view> tmpl = model.file->gguf().get_string_or("tokenizer.chat_template", "");
    if (tmpl.is_ok()) d->style_ = detect_prompt_style(tmpl.value());
  }
  d->prompt_ = render_summary_prompt(d->style_, params.instruction);
  // One tokenizer workspace for everything the driver encodes: sized for the
  // longest line (plus the joining space) or prompt text, whichever is longer.
  size_t max_text = params.max_text_bytes + 1;
  for (const std::string *text : {&d->prompt_.before_summary, &d->prompt_.memory_prefix, &d->prompt_.memory_suffix}) {
    max_text = std::max(max_text, text->size());
  }
  BALLAST_RETURN_IF_ERROR(d->tokenizer_ws_.reserve_for(tokenizer, max_text));
  TokenizerWorkspace *tok_ws = &d->tokenizer_ws_;
  BALLAST_RETURN_IF_ERROR(encode_text(tokenizer, d->prompt_.before_summary, true, tok_ws, &d->before_summary_ids_));
  BALLAST_RETURN_IF_ERROR(encode_text(tokenizer, d->prompt_.memory_prefix, true, tok_ws, &d->memory_prefix_ids_));
  BALLAST_RETURN_IF_ERROR(encode_text(tokenizer, d->prompt_.memory_suffix, true, tok_ws, &d->memory_suffix_ids_));
  if (d->before_summary_ids_.empty()) {
    return make_status(StatusCode::internal, "the summary prompt encodes to no tokens");
  }
  const uint32_t window_room = d->session_->cache().capacity();
  const uint64_t summary_need = d->before_summary_ids_.size() + params.summary_max_tokens;
  if (session_params.mode == KvCacheMode::dense && summary_need >= window_room) {
    return make_status(StatusCode::invalid_argument, "dense mode: the cache (%u) cannot hold a summary (%llu tokens)",
                       window_room, static_cast<unsigned long long>(summary_need));
  }

  d->memory_ids_.assign(params.memory_max_tokens, 0);
  d->summary_ids_.assign(params.summary_max_tokens, 0);
  d->history_.assign(size_t{window_room} + 1, 0);
  d->line_ids_.reserve(tokenizer.max_encode_ids(params.max_text_bytes + 1));
  d->line_text_.reserve(params.max_text_bytes + 1);
  d->snapshot_.assign(d->session_->state_bytes(), 0);

  d->sampler_workspace_.assign(Sampler::workspace_bytes(model.config.n_vocab) + 8, 0);
  uint8_t *ws = d->sampler_workspace_.data();
  ws += (4 - reinterpret_cast<uintptr_t>(ws) % 4) % 4;
  BALLAST_ASSIGN_OR_RETURN(Sampler sampler, Sampler::create(params.sampling, model.config.n_vocab, ws,
                                                            Sampler::workspace_bytes(model.config.n_vocab)));
  d->sampler_ = std::make_unique<Sampler>(sampler);
  d->detokenizer_ = std::make_unique<StreamDetokenizer>(tokenizer);
  d->piece_.assign(d->detokenizer_->max_output_bytes(), 0);
  d->summary_text_.assign(size_t{params.summary_max_tokens} * d->piece_.size() + d->piece_.size() + 8, 0);

  d->payload_.assign(sizeof(StreamCounters) + d->memory_ids_.size() * sizeof(int32_t) + d->snapshot_.size(), 0);
  d->model_hash_ = model_bytes_hash(model.file->mapping().data(), model.file->mapping().size());
  d->config_hash_ = stream_config_hash(*d->session_, params, d->style_);

  // The stream starts like a document: BOS (the session puts a declared sink
  // token first by itself).
  if (tokenizer.bos_id() >= 0) {
    const int32_t bos = tokenizer.bos_id();
    BALLAST_RETURN_IF_ERROR(d->session_->feed(&bos, 1));
  }
  return d;
}

Status StreamDriver::feed_text(std::string_view text) {
  if (text.empty()) return Status::ok();
  const Tokenizer &tokenizer = model_->tokenizer;
  line_text_.clear();
  // Lines join with a space: SPM vocabularies add it themselves.
  if (!tokenizer.vocab().add_space_prefix) line_text_.push_back(' ');
  line_text_.append(text.data(), text.size());
  line_ids_.clear();
  // Transcript text is data: special-token text in it ("<|im_end|>") stays text.
  BALLAST_RETURN_IF_ERROR(tokenizer.encode(line_text_, false, false, &tokenizer_ws_, &line_ids_));
  BALLAST_RETURN_IF_ERROR(feed_tokens(line_ids_.data(), line_ids_.size()));
  counters_.lines += 1;
  return Status::ok();
}

Status StreamDriver::feed_tokens(const int32_t *ids, uint64_t n) {
  BALLAST_RETURN_IF_ERROR(session_->feed(ids, n));
  counters_.transcript_tokens += n;
  return Status::ok();
}

void StreamDriver::append_summary_text(const char *piece, size_t n) {
  const size_t room = summary_text_.size() - summary_bytes_;
  if (n > room) n = room;
  if (n == 0) return;
  std::memcpy(summary_text_.data() + summary_bytes_, piece, n);
  summary_bytes_ += n;
}

Status StreamDriver::summarize() {
  Session &s = *session_;
  const Tokenizer &tokenizer = model_->tokenizer;
  BALLAST_RETURN_IF_ERROR(s.save_state(snapshot_.data(), snapshot_.size()));
  Status generated = s.feed(before_summary_ids_.data(), before_summary_ids_.size());
  sampler_->reseed(params_.sampling.seed + counters_.summaries);
  detokenizer_->reset();
  summary_bytes_ = 0;
  uint32_t n = 0;
  bool has_text = false;
  while (generated.is_ok() && n < params_.summary_max_tokens) {
    Result<uint32_t> cached = s.cache().cached_token_ids(history_.data(), static_cast<uint32_t>(history_.size()));
    const int64_t n_history = cached.is_ok() ? cached.value() : 0;
    const int32_t token = sampler_->sample(s.logits(), history_.data(), n_history);
    if (tokenizer.is_end_of_generation(token)) break;
    size_t written = 0;
    if (detokenizer_->push(token, piece_.data(), piece_.size(), &written).is_ok() && written > 0) {
      const char *newline = static_cast<const char *>(std::memchr(piece_.data(), '\n', written));
      if (prompt_.stop_at_newline && newline != nullptr && has_text) {
        append_summary_text(piece_.data(), static_cast<size_t>(newline - piece_.data()));
        break;
      }
      for (size_t i = 0; i < written; ++i) has_text = has_text || (piece_[i] != ' ' && piece_[i] != '\n');
      append_summary_text(piece_.data(), written);
    }
    summary_ids_[n++] = token;
    generated = s.feed(&token, 1);
  }
  size_t written = 0;
  if (detokenizer_->flush(piece_.data(), piece_.size(), &written).is_ok()) append_summary_text(piece_.data(), written);
  // Trim: whitespace and newlines at both ends; newlines inside become spaces.
  size_t begin = 0;
  while (begin < summary_bytes_ && (summary_text_[begin] == ' ' || summary_text_[begin] == '\n')) ++begin;
  size_t end = summary_bytes_;
  while (end > begin && (summary_text_[end - 1] == ' ' || summary_text_[end - 1] == '\n')) --end;
  std::memmove(summary_text_.data(), summary_text_.data() + begin, end - begin);
  summary_bytes_ = end - begin;
  for (size_t i = 0; i < summary_bytes_; ++i) {
    if (summary_text_[i] == '\n' || summary_text_[i] == '\r') summary_text_[i] = ' ';
  }

  // Undo the summary prompt and its tokens, whatever happened.
  BALLAST_RETURN_IF_ERROR(s.restore_state(snapshot_.data(), snapshot_.size()));
  BALLAST_RETURN_IF_ERROR(generated);
  const uint32_t keep = n < params_.memory_max_tokens ? n : params_.memory_max_tokens;
  if (keep > 0) std::memcpy(memory_ids_.data(), summary_ids_.data(), keep * sizeof(int32_t));
  counters_.memory_tokens = keep;
  counters_.summaries += 1;
  counters_.last_summary_at = counters_.transcript_tokens;
  return feed_memory();
}

Status StreamDriver::feed_memory() {
  if (counters_.memory_tokens == 0) return Status::ok();
  Session &s = *session_;
  BALLAST_RETURN_IF_ERROR(s.feed(memory_prefix_ids_.data(), memory_prefix_ids_.size()));
  BALLAST_RETURN_IF_ERROR(s.feed(memory_ids_.data(), counters_.memory_tokens));
  return s.feed(memory_suffix_ids_.data(), memory_suffix_ids_.size());
}

Status StreamDriver::set_state_path(const std::string &path) {
  if (path.empty()) return make_status(StatusCode::invalid_argument, "empty state file path");
  state_path_ = path;
  state_tmp_path_ = path + ".tmp";
  const size_t slash = path.rfind('/');
  state_dir_ = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  return Status::ok();
}

Status StreamDriver::save_checkpoint() {
  if (state_path_.empty()) return make_status(StatusCode::invalid_argument, "no state file path set");
  counters_.last_checkpoint_at = counters_.transcript_tokens;
  uint8_t *p = payload_.data();
  std::memcpy(p, &counters_, sizeof(counters_));
  p += sizeof(counters_);
  if (!memory_ids_.empty()) std::memcpy(p, memory_ids_.data(), memory_ids_.size() * sizeof(int32_t));
  p += memory_ids_.size() * sizeof(int32_t);
  BALLAST_RETURN_IF_ERROR(session_->save_state(p, snapshot_.size()));
  return write_state_file(state_path_.c_str(), state_tmp_path_.c_str(), state_dir_.c_str(), model_hash_,
                          config_hash_, payload_.data(), payload_.size());
}

Status StreamDriver::load_checkpoint() {
  if (state_path_.empty()) return make_status(StatusCode::invalid_argument, "no state file path set");
  // Read into the snapshot-sized payload buffer; nothing changes unless all checks pass.
  BALLAST_ASSIGN_OR_RETURN(uint64_t bytes, read_state_file(state_path_.c_str(), model_hash_, config_hash_,
                                                           payload_.data(), payload_.size()));
  if (bytes != payload_.size()) {
    return make_status(StatusCode::corrupt_file, "state file %s payload is %llu bytes, this stream's is %llu",
                       state_path_.c_str(), static_cast<unsigned long long>(bytes),
                       static_cast<unsigned long long>(payload_.size()));
  }
  StreamCounters counters;
  const uint8_t *p = payload_.data();
  std::memcpy(&counters, p, sizeof(counters));
  p += sizeof(counters);
  if (counters.memory_tokens > memory_ids_.size()) {
    return make_status(StatusCode::corrupt_file, "state file %s: memory of %llu tokens exceeds %zu",
                       state_path_.c_str(), static_cast<unsigned long long>(counters.memory_tokens), memory_ids_.size());
  }
  const uint8_t *memory = p;
  p += memory_ids_.size() * sizeof(int32_t);
  BALLAST_RETURN_IF_ERROR(session_->restore_state(p, snapshot_.size()));
  if (!memory_ids_.empty()) std::memcpy(memory_ids_.data(), memory, memory_ids_.size() * sizeof(int32_t));
  counters_ = counters;
  return Status::ok();
}

}  // namespace ballast
