// Lookup tables shared by the encoders. Keys are views into strings the
// Tokenizer owns (its Vocab), so a lookup with a scratch string never allocates.
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>

namespace ballast {

using TextToId = std::unordered_map<std::string_view, int32_t>;

inline int32_t find_id(const TextToId &map, std::string_view text) {
  auto it = map.find(text);
  return it == map.end() ? -1 : it->second;
}

}  // namespace ballast
