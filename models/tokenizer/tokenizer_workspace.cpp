#include "models/tokenizer/tokenizer_workspace.h"

#include <new>

#include "models/tokenizer/tokenizer.h"

namespace ballast {
namespace {

template <typename T>
size_t vector_bytes(const std::vector<T> &v) {
  return v.capacity() * sizeof(T);
}

}  // namespace

Status TokenizerWorkspace::reserve_for(const Tokenizer &tokenizer, size_t max_text_bytes) {
  if (max_text_bytes > static_cast<size_t>(INT32_MAX) / 8) {
    return make_status(StatusCode::invalid_argument, "tokenizer workspace: %zu text bytes is too many", max_text_bytes);
  }
  const size_t t = max_text_bytes;
  // Bounds (see the shape comments in the header):
  //  - fragments: specials are >= 1 byte and raw fragments sit between them;
  //  - SPM: every byte may become U+2581 (3 bytes), plus the prefix; every
  //    escaped byte may be a symbol; the heap holds at most (symbols - 1)
  //    first pairs + one extra candidate per merge (each merge pops one);
  //  - BPE: a bad byte becomes U+FFFD (3 bytes), each UTF-8 byte becomes a
  //    GPT-2 code point of at most 2 bytes; symbols are that piece's characters.
  try {
    fragments.reserve(2 * t + 1);
    fragments_next.reserve(2 * t + 1);
    if (tokenizer.vocab().model == VocabModel::llama) {
      const size_t escaped_bytes = 3 * t + 3;
      escaped.reserve(escaped_bytes);
      symbols.reserve(escaped_bytes);
      spm_heap.reserve(2 * escaped_bytes);
    } else {
      const size_t utf8_bytes = 3 * t;
      code_points.reserve(t);
      pre.segments.reserve(t);
      pre.next.reserve(t);
      piece_utf8.reserve(utf8_bytes);
      piece_encoded.reserve(2 * utf8_bytes);
      merge_key.reserve(2 * utf8_bytes + 1);
      symbols.reserve(utf8_bytes);
      bpe_heap.reserve(2 * utf8_bytes);
    }
  } catch (const std::bad_alloc &) {
    return make_status(StatusCode::out_of_memory, "tokenizer workspace for %zu-byte texts: out of memory", t);
  }
  return Status::ok();
}

size_t TokenizerWorkspace::capacity_bytes() const {
  return vector_bytes(fragments) + vector_bytes(fragments_next) + vector_bytes(symbols) + escaped.capacity() +
         vector_bytes(spm_heap) + vector_bytes(code_points) + vector_bytes(pre.segments) + vector_bytes(pre.next) +
         piece_utf8.capacity() + piece_encoded.capacity() + merge_key.capacity() + vector_bytes(bpe_heap);
}

}  // namespace ballast
