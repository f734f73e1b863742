// A minimal XML well-formedness check for the SVG the evaluator writes:
// balanced and properly nested tags, quoted attributes, only the five
// predefined entities. Enough to catch a broken writer; not a full parser.
#pragma once

#include <cctype>
#include <string>
#include <vector>

namespace ballast::test {

inline bool xml_well_formed(const std::string &xml, std::string *error) {
  std::vector<std::string> open;
  size_t i = 0;
  auto fail = [&](const std::string &why) {
    *error = why + " at byte " + std::to_string(i);
    return false;
  };
  while (i < xml.size()) {
    if (xml[i] == '&') {
      const size_t end = xml.find(';', i);
      if (end == std::string::npos) return fail("unterminated entity");
      const std::string entity = xml.substr(i + 1, end - i - 1);
      if (entity != "lt" && entity != "gt" && entity != "amp" && entity != "quot" && entity != "apos") {
        return fail("unknown entity &" + entity + ";");
      }
      i = end + 1;
      continue;
    }
    if (xml[i] != '<') {
      if (xml[i] == '>') return fail("stray '>'");
      ++i;
      continue;
    }
    const bool closing = i + 1 < xml.size() && xml[i + 1] == '/';
    size_t j = i + (closing ? 2 : 1);
    std::string name;
    while (j < xml.size() && (std::isalnum(static_cast<unsigned char>(xml[j])) || xml[j] == '-' || xml[j] == ':')) {
      name += xml[j++];
    }
    if (name.empty()) return fail("tag without a name");
    bool self_closing = false;
    while (j < xml.size() && xml[j] != '>') {
      if (xml[j] == '"') {
        const size_t end = xml.find('"', j + 1);
        if (end == std::string::npos) return fail("unterminated attribute value");
        if (xml.substr(j + 1, end - j - 1).find('<') != std::string::npos) return fail("'<' in an attribute");
        j = end + 1;
        continue;
      }
      if (xml[j] == '/' && j + 1 < xml.size() && xml[j + 1] == '>') self_closing = true;
      if (xml[j] == '<') return fail("'<' inside a tag");
      ++j;
    }
    if (j >= xml.size()) return fail("unterminated tag <" + name);
    if (closing) {
      if (open.empty() || open.back() != name) return fail("mismatched </" + name + ">");
      open.pop_back();
    } else if (!self_closing) {
      open.push_back(name);
    }
    i = j + 1;
  }
  if (!open.empty()) return fail("unclosed <" + open.back() + ">");
  return true;
}

inline size_t count_elements(const std::string &xml, const std::string &name) {
  size_t count = 0;
  for (size_t at = xml.find("<" + name + " "); at != std::string::npos; at = xml.find("<" + name + " ", at + 1)) ++count;
  return count;
}

// The values of `attribute` on every <element ...>, in document order.
inline std::vector<std::string> attribute_values(const std::string &xml, const std::string &element,
                                                 const std::string &attribute) {
  std::vector<std::string> values;
  for (size_t at = xml.find("<" + element + " "); at != std::string::npos;
       at = xml.find("<" + element + " ", at + 1)) {
    const size_t end = xml.find('>', at);
    const size_t a = xml.find(" " + attribute + "=\"", at);
    if (a == std::string::npos || a > end) continue;
    const size_t start = a + attribute.size() + 3;
    values.push_back(xml.substr(start, xml.find('"', start) - start));
  }
  return values;
}

}  // namespace ballast::test
