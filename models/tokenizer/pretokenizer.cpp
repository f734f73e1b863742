#include "models/tokenizer/pretokenizer.h"

#include <algorithm>

#include "models/tokenizer/unicode.h"

namespace ballast {
namespace {

bool is_letter(uint32_t cp) { return (unicode_class(cp) & kUnicodeLetter) != 0; }
bool is_number(uint32_t cp) { return (unicode_class(cp) & kUnicodeNumber) != 0; }
bool is_newline(uint32_t cp) { return cp == '\r' || cp == '\n'; }
// Neither whitespace, letter nor number: [^\s\p{L}\p{N}].
bool is_other(uint32_t cp) { return !unicode_is_whitespace(cp) && !is_letter(cp) && !is_number(cp); }
uint32_t ascii_lower(uint32_t cp) { return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp; }

// One segment [begin, end) of the code points being scanned; emits pieces.
class SegmentScanner {
 public:
  SegmentScanner(const std::vector<uint32_t> &cps, size_t begin, size_t end, std::vector<size_t> *out)
      : cps_(cps), end_(end), pos_(begin), out_(out) {}

  // 's|'t|'re|'ve|'m|'ll|'d (ASCII case-insensitive when fold_case).
  bool take_contraction(bool fold_case) {
    if (cps_[pos_] != '\'' || pos_ + 1 >= end_) return false;
    auto fold = [&](uint32_t cp) { return fold_case ? ascii_lower(cp) : cp; };
    const uint32_t c1 = fold(cps_[pos_ + 1]);
    if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') return emit(2);
    if (pos_ + 2 >= end_) return false;
    const uint32_t c2 = fold(cps_[pos_ + 2]);
    if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) return emit(3);
    return false;
  }

  // \s+(?!\S)|\s+ and, when with_newlines, \s*[\r\n]+ first.
  void take_whitespace(bool with_newlines) {
    size_t run = 0;
    size_t after_last_newline = 0;
    while (pos_ + run < end_ && unicode_is_whitespace(cps_[pos_ + run])) {
      if (is_newline(cps_[pos_ + run])) after_last_newline = run + 1;
      ++run;
    }
    if (with_newlines && after_last_newline > 0) {
      emit(after_last_newline);
    } else if (run > 1 && pos_ + run < end_) {
      emit(run - 1);  // leave the last space to prefix the next word
    } else {
      emit(std::max<size_t>(run, 1));
    }
  }

  // GPT-2 expression.
  void scan_gpt2() {
    while (pos_ < end_) {
      if (take_contraction(false)) continue;
      const size_t head = pos_ + (cps_[pos_] == ' ' ? 1 : 0);
      if (head < end_) {
        const uint32_t h = cps_[head];
        if (is_letter(h)) { emit_run_from(head, is_letter); continue; }
        if (is_number(h)) { emit_run_from(head, is_number); continue; }
        if (is_other(h)) { emit_run_from(head, is_other); continue; }
      }
      take_whitespace(false);
    }
  }

  // LLaMA-3 / Qwen2 expression; max_digits is 3 (llama3) or 1 (qwen2).
  void scan_llama3(size_t max_digits) {
    while (pos_ < end_) {
      if (take_contraction(true)) continue;
      const uint32_t c = cps_[pos_];
      // [^\r\n\p{L}\p{N}]?\p{L}+
      if (!is_newline(c) && !is_number(c)) {
        if (is_letter(c)) { emit_run_from(pos_, is_letter); continue; }
        if (pos_ + 1 < end_ && is_letter(cps_[pos_ + 1])) { emit_run_from(pos_ + 1, is_letter); continue; }
      }
      // \p{N}{1,max_digits}
      if (is_number(c)) {
        size_t run = 0;
        while (pos_ + run < end_ && run < max_digits && is_number(cps_[pos_ + run])) ++run;
        emit(run);
        continue;
      }
      // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
      const size_t head = pos_ + (c == ' ' ? 1 : 0);
      if (head >= end_ || is_other(cps_[head])) {
        size_t stop = head;
        while (stop < end_ && is_other(cps_[stop])) ++stop;
        while (stop < end_ && is_newline(cps_[stop])) ++stop;
        emit(stop - pos_);
        continue;
      }
      take_whitespace(true);
    }
  }

 private:
  bool emit(size_t length) {
    out_->push_back(length);
    pos_ += length;
    return true;
  }
  // Emit [pos_, first index >= from where pred fails).
  template <typename Pred>
  void emit_run_from(size_t from, Pred pred) {
    size_t stop = from;
    while (stop < end_ && pred(cps_[stop])) ++stop;
    emit(stop - pos_);
  }

  const std::vector<uint32_t> &cps_;
  size_t end_;
  size_t pos_;
  std::vector<size_t> *out_;
};

// Split every segment by matches of a character class repeated
// [min_len, max_len] times (leftmost, greedy); text between matches stays
// one piece. This is what a std::regex_iterator over `[class]{min,max}` does.
template <typename Pred>
void isolate_class_runs(const std::vector<uint32_t> &cps, Pred in_class, size_t min_len, size_t max_len,
                        PreTokenizerScratch *scratch) {
  std::vector<size_t> &out = scratch->next;
  out.clear();
  size_t seg_begin = 0;
  for (size_t seg_len : scratch->segments) {
    const size_t seg_end = seg_begin + seg_len;
    size_t gap_begin = seg_begin;
    size_t i = seg_begin;
    while (i < seg_end) {
      size_t run = 0;
      while (i + run < seg_end && in_class(cps[i + run])) ++run;
      if (run < min_len) {
        i += std::max<size_t>(run, 1);
        continue;
      }
      // Matches from i: as many as fit, each up to max_len long.
      if (i > gap_begin) out.push_back(i - gap_begin);
      while (run >= min_len) {
        const size_t take = std::min(run, max_len);
        out.push_back(take);
        i += take;
        run -= take;
      }
      gap_begin = i;
    }
    if (seg_end > gap_begin) out.push_back(seg_end - gap_begin);
    seg_begin = seg_end;
  }
  scratch->segments.assign(out.begin(), out.end());  // a copy, not a swap: each keeps its capacity
}

void scan_segments(const std::vector<uint32_t> &cps, PreTokenizerKind kind, PreTokenizerScratch *scratch) {
  std::vector<size_t> &out = scratch->next;
  out.clear();
  size_t begin = 0;
  for (size_t len : scratch->segments) {
    SegmentScanner scanner(cps, begin, begin + len, &out);
    if (kind == PreTokenizerKind::gpt2) {
      scanner.scan_gpt2();
    } else {
      scanner.scan_llama3(kind == PreTokenizerKind::llama3 ? 3 : 1);
    }
    begin += len;
  }
  scratch->segments.assign(out.begin(), out.end());  // a copy, not a swap: each keeps its capacity
}

// [\p{P}\$\+<=>\^~\|] as llama.cpp evaluates it: every ASCII punctuation or
// symbol except '`', plus non-ASCII punctuation.
bool is_default_punct(uint32_t cp) {
  if (cp < 0x80) return cp > 0x20 && cp < 0x7F && cp != '`' && !((cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z'));
  return !unicode_is_whitespace(cp) && (unicode_class(cp) & kUnicodePunctuation) != 0;
}
bool is_ascii_digit(uint32_t cp) { return cp >= '0' && cp <= '9'; }

}  // namespace

Result<PreTokenizerInfo> pre_tokenizer_from_name(std::string_view name) {
  PreTokenizerInfo info;
  auto is_any = [&](std::initializer_list<const char *> names) {
    for (const char *n : names) {
      if (name == n) return true;
    }
    return false;
  };
  if (name.empty() || name == "default") {
    info.kind = PreTokenizerKind::default_split;
  } else if (is_any({"gpt-2", "gpt2", "phi-2", "mpt", "olmo", "jina-es", "jina-de", "gigachat", "jina-v2-es",
                     "jina-v2-de", "a.x-4.0", "mellum", "modern-bert", "exaone4"})) {
    info.kind = PreTokenizerKind::gpt2;
  } else if (is_any({"llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
                     "jina-v5-nano"})) {
    info.kind = PreTokenizerKind::llama3;
    info.ignore_merges = true;
    info.add_bos = true;
  } else if (is_any({"dbrx", "smaug-bpe"})) {
    info.kind = PreTokenizerKind::llama3;
  } else if (is_any({"qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open", "grok-2"})) {
    info.kind = PreTokenizerKind::qwen2;
    info.clean_spaces = false;
  } else if (is_any({"stablelm2", "megrez"})) {
    info.kind = PreTokenizerKind::qwen2;
  } else if (is_any({"smollm", "command-r"})) {
    info.kind = PreTokenizerKind::smollm;
    info.clean_spaces = false;
  } else if (is_any({"starcoder", "refact", "codeshell", "exaone", "minerva-7b", "mellum2"})) {
    info.kind = PreTokenizerKind::smollm;
  } else {
    return make_status(StatusCode::unsupported, "unsupported pre-tokenizer tokenizer.ggml.pre='%.*s'",
                       static_cast<int>(name.size()), name.data());
  }
  return info;
}

const char *pre_tokenizer_kind_name(PreTokenizerKind kind) {
  switch (kind) {
    case PreTokenizerKind::default_split: return "default";
    case PreTokenizerKind::gpt2: return "gpt2";
    case PreTokenizerKind::llama3: return "llama3";
    case PreTokenizerKind::qwen2: return "qwen2";
    case PreTokenizerKind::smollm: return "smollm";
  }
  return "?";
}

void pre_tokenize(PreTokenizerKind kind, const std::vector<uint32_t> &cps, PreTokenizerScratch *scratch) {
  scratch->segments.clear();
  if (cps.empty()) return;
  scratch->segments.push_back(cps.size());
  const size_t unlimited = cps.size();
  switch (kind) {
    case PreTokenizerKind::gpt2:
    case PreTokenizerKind::llama3:
    case PreTokenizerKind::qwen2:
      scan_segments(cps, kind, scratch);
      break;
    case PreTokenizerKind::smollm:
      isolate_class_runs(cps, is_number, 1, 1, scratch);
      scan_segments(cps, PreTokenizerKind::gpt2, scratch);
      break;
    case PreTokenizerKind::default_split:
      isolate_class_runs(cps, is_default_punct, 1, unlimited, scratch);
      scan_segments(cps, PreTokenizerKind::gpt2, scratch);
      isolate_class_runs(cps, is_number, 1, unlimited, scratch);
      isolate_class_runs(cps, is_ascii_digit, 3, 3, scratch);
      break;
  }
}

void pre_tokenize(PreTokenizerKind kind, const std::vector<uint32_t> &cps, std::vector<size_t> *piece_lengths) {
  PreTokenizerScratch scratch;
  pre_tokenize(kind, cps, &scratch);
  piece_lengths->insert(piece_lengths->end(), scratch.segments.begin(), scratch.segments.end());
}

}  // namespace ballast
