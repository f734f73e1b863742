#include "models/tokenizer/spm_encoder.h"

#include <algorithm>

#include "models/tokenizer/unicode.h"

namespace ballast {
namespace {

// Heap order: the top is the highest score; among equal scores the leftmost pair.
struct LowerPriority {
  bool operator()(const SpmCandidate &a, const SpmCandidate &b) const {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  }
};

}  // namespace

void spm_encode(const SpmModel &model, std::string_view text, std::vector<MergeSymbol> *symbols_out,
                std::vector<SpmCandidate> *heap_out, std::vector<int32_t> *out) {
  if (text.empty()) return;
  std::vector<MergeSymbol> &symbols = *symbols_out;
  std::vector<SpmCandidate> &heap = *heap_out;
  symbols.clear();
  heap.clear();
  for (size_t offset = 0; offset < text.size();) {
    const size_t length = std::min(utf8_sequence_length(static_cast<uint8_t>(text[offset])), text.size() - offset);
    const int32_t index = static_cast<int32_t>(symbols.size());
    symbols.push_back({static_cast<uint32_t>(offset), static_cast<uint32_t>(length), index - 1,
                       offset + length == text.size() ? -1 : index + 1});
    offset += length;
  }

  auto consider = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    const MergeSymbol &l = symbols[left];
    const uint32_t length = l.length + symbols[right].length;
    const int32_t id = find_id(*model.token_ids, text.substr(l.begin, length));
    if (id < 0) return;
    heap.push_back({left, right, (*model.scores)[id], length});
    std::push_heap(heap.begin(), heap.end(), LowerPriority());
  };
  for (size_t i = 1; i < symbols.size(); ++i) consider(static_cast<int32_t>(i - 1), static_cast<int32_t>(i));

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), LowerPriority());
    const SpmCandidate best = heap.back();
    heap.pop_back();
    MergeSymbol &left = symbols[best.left];
    MergeSymbol &right = symbols[best.right];
    // Stale: one side was merged since this candidate was made.
    if (left.length == 0 || right.length == 0 || left.length + right.length != best.length) continue;
    left.length += right.length;
    right.length = 0;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = best.left;
    consider(left.prev, best.left);
    consider(best.left, left.next);
  }

  for (int32_t i = 0; i != -1; i = symbols[i].next) {
    const MergeSymbol &s = symbols[i];
    const std::string_view piece = text.substr(s.begin, s.length);
    const int32_t id = find_id(*model.token_ids, piece);
    if (id >= 0) {
      out->push_back(id);
      continue;
    }
    for (char c : piece) {  // byte fallback
      const int32_t byte_id = model.byte_tokens[static_cast<uint8_t>(c)];
      if (byte_id >= 0) {
        out->push_back(byte_id);
      } else if (model.unk_id >= 0) {
        out->push_back(model.unk_id);
      }
    }
  }
}

}  // namespace ballast
