#include "models/tokenizer/bpe_encoder.h"

#include <algorithm>

#include "models/tokenizer/byte_unicode.h"
#include "models/tokenizer/unicode.h"

namespace ballast {
namespace {

// Heap order: the top is the lowest rank; among equal ranks the leftmost pair.
struct LowerPriority {
  bool operator()(const BpeCandidate &a, const BpeCandidate &b) const {
    return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
  }
};

// Merges one pre-tokenized piece; the buffers are the workspace's.
class WordMerger {
 public:
  WordMerger(const BpeModel &model, TokenizerWorkspace *ws)
      : model_(model), symbols_(ws->symbols), heap_(ws->bpe_heap), key_(ws->merge_key) {}

  // `word` is one pre-tokenized piece in GPT-2's byte-as-code-point form.
  void encode(std::string_view word, std::vector<int32_t> *out) {
    if (model_.ignore_merges) {
      const int32_t id = find_id(*model_.token_ids, word);
      if (id >= 0) {
        out->push_back(id);
        return;
      }
    }
    symbols_.clear();
    for (size_t offset = 0; offset < word.size();) {
      const size_t length = std::min(utf8_sequence_length(static_cast<uint8_t>(word[offset])), word.size() - offset);
      const int32_t index = static_cast<int32_t>(symbols_.size());
      symbols_.push_back({static_cast<uint32_t>(offset), static_cast<uint32_t>(length), index - 1,
                          offset + length == word.size() ? -1 : index + 1});
      offset += length;
    }
    heap_.clear();
    for (size_t i = 1; i < symbols_.size(); ++i) consider(word, static_cast<int32_t>(i - 1), static_cast<int32_t>(i));

    while (!heap_.empty()) {
      std::pop_heap(heap_.begin(), heap_.end(), LowerPriority());
      const BpeCandidate best = heap_.back();
      heap_.pop_back();
      MergeSymbol &left = symbols_[best.left];
      MergeSymbol &right = symbols_[best.right];
      if (left.length == 0 || right.length == 0 || left.length + right.length != best.length) continue;
      left.length += right.length;
      right.length = 0;
      left.next = right.next;
      if (right.next >= 0) symbols_[right.next].prev = best.left;
      consider(word, left.prev, best.left);
      consider(word, best.left, left.next);
    }

    for (int32_t i = 0; i != -1 && !symbols_.empty(); i = symbols_[i].next) {
      const std::string_view piece = word.substr(symbols_[i].begin, symbols_[i].length);
      const int32_t id = find_id(*model_.token_ids, piece);
      if (id >= 0) {
        out->push_back(id);
        continue;
      }
      // Not a token (a vocabulary without this merge result or character):
      // llama.cpp then looks each raw byte up as a one-byte token.
      for (size_t b = 0; b < piece.size(); ++b) {
        const int32_t byte_id = find_id(*model_.token_ids, piece.substr(b, 1));
        if (byte_id >= 0) out->push_back(byte_id);
      }
    }
  }

 private:
  void consider(std::string_view word, int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    const MergeSymbol &l = symbols_[left];
    const MergeSymbol &r = symbols_[right];
    key_.assign(word.data() + l.begin, l.length);
    key_.push_back(' ');
    key_.append(word.data() + r.begin, r.length);
    const int32_t rank = find_id(*model_.merge_ranks, key_);
    if (rank < 0) return;
    heap_.push_back({left, right, rank, l.length + r.length});
    std::push_heap(heap_.begin(), heap_.end(), LowerPriority());
  }

  const BpeModel &model_;
  std::vector<MergeSymbol> &symbols_;  // [piece characters]
  std::vector<BpeCandidate> &heap_;    // [<= 2 * symbols]
  std::string &key_;                   // "left right"
};

}  // namespace

void bpe_encode(const BpeModel &model, std::string_view text, TokenizerWorkspace *ws, std::vector<int32_t> *out) {
  std::vector<uint32_t> &cps = ws->code_points;
  cps.clear();
  utf8_decode(text, &cps);
  pre_tokenize(model.pre, cps, &ws->pre);

  WordMerger merger(model, ws);
  std::string &utf8 = ws->piece_utf8;        // one piece as UTF-8 (invalid input bytes became U+FFFD)
  std::string &encoded = ws->piece_encoded;  // the same piece, each byte as its GPT-2 code point
  size_t begin = 0;
  for (size_t length : ws->pre.segments) {
    utf8.clear();
    for (size_t i = begin; i < begin + length; ++i) utf8_append(cps[i], &utf8);
    encoded.clear();
    for (char c : utf8) append_byte_as_unicode(static_cast<uint8_t>(c), &encoded);
    merger.encode(encoded, out);
    begin += length;
  }
}

}  // namespace ballast
