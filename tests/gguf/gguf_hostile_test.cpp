// The generated hostile corpus against the reader: every must-reject case is
// rejected with the expected code and a message naming the right field and an
// offset no later than the damage; byte flips never crash, and whatever they
// leave parseable is safe to use.
#include <doctest/doctest.h>

#include <cstdlib>
#include <map>

#include "models/gguf/gguf_reader.h"
#include "tests/gguf/gguf_exercise.h"
#include "tests/gguf/hostile_gguf_corpus.h"

using namespace ballast;
using namespace ballast::testing;

namespace {

// The N of the first "at offset N" in a message, or -1.
long long reported_offset(const std::string &message) {
  const size_t at = message.find(" at offset ");
  if (at == std::string::npos) return -1;
  return std::strtoll(message.c_str() + at + 11, nullptr, 10);
}

bool contains(const std::string &haystack, const std::string &needle) { return haystack.find(needle) != std::string::npos; }

// Parses a copy of the bytes in an exactly-sized heap block, so ASan sees any
// read past the end.
Result<GgufFile> parse_exact(const std::vector<uint8_t> &bytes, std::vector<uint8_t> &storage) {
  storage = bytes;
  storage.shrink_to_fit();
  return GgufFile::parse(storage.empty() ? nullptr : storage.data(), storage.size());
}

void check_rejected(const HostileGgufCase &c) {
  CAPTURE(c.name);
  std::vector<uint8_t> storage;
  Result<GgufFile> parsed = parse_exact(c.bytes, storage);
  REQUIRE_FALSE(parsed.is_ok());
  const std::string message = parsed.status().message();
  CAPTURE(message);
  CHECK(parsed.status().code() == c.code);
  for (const std::string &needle : c.all_of) CHECK_MESSAGE(contains(message, needle), "missing: " << needle);
  if (!c.any_of.empty()) {
    bool found = false;
    for (const std::string &needle : c.any_of) found = found || contains(message, needle);
    CHECK_MESSAGE(found, "names none of the expected fields, first expected: " << c.any_of.front());
  }
  const long long offset = reported_offset(message);
  CHECK(offset >= 0);
  if (c.max_error_offset != SIZE_MAX) CHECK(offset <= static_cast<long long>(c.max_error_offset));
}

std::vector<HostileGgufCase> cases_named(const std::string &prefix, bool must_reject) {
  std::vector<HostileGgufCase> out;
  for (HostileGgufCase &c : make_hostile_gguf_corpus()) {
    if (c.name.rfind(prefix, 0) == 0 && c.must_reject == must_reject) out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

TEST_CASE("hostile corpus: the base file itself is valid and the generator made every case") {
  for (uint32_t version : {2u, 3u}) {
    BaseGgufOptions options;
    options.version = version;
    const LabeledGgufBytes base = make_base_gguf(options);
    std::vector<uint8_t> storage;
    Result<GgufFile> parsed = parse_exact(base.bytes(), storage);
    REQUIRE_MESSAGE(parsed.is_ok(), parsed.status().to_string());
    CHECK(parsed->version() == version);
    CHECK(parsed->metadata().size() == 9);
    REQUIRE(parsed->tensors().size() == 3);
    CHECK(parsed->tensors()[2].data_offset + parsed->tensors()[2].byte_size == base.size());
    CHECK(exercise_gguf_file(parsed.value(), storage.data(), storage.size()).violation.empty());
  }
  size_t total = 0;
  std::map<std::string, int> names;
  for (const HostileGgufCase &c : make_hostile_gguf_corpus()) {
    CHECK_MESSAGE(c.name.rfind("generator_error", 0) != 0, c.name);
    CHECK_MESSAGE(++names[c.name] == 1, "duplicate case name " << c.name);
    ++total;
  }
  CHECK(total > 2000);
}

TEST_CASE("hostile corpus: a valid v3 file truncated at every byte length is rejected naming the cut field") {
  const std::vector<HostileGgufCase> cases = cases_named("v3_truncated_at_", true);
  CHECK(cases.size() == make_base_gguf().size());
  for (const HostileGgufCase &c : cases) check_rejected(c);
}

TEST_CASE("hostile corpus: a valid v2 file truncated at every byte length is rejected naming the cut field") {
  const std::vector<HostileGgufCase> cases = cases_named("v2_truncated_at_", true);
  CHECK(cases.size() > 700);
  for (const HostileGgufCase &c : cases) check_rejected(c);
}

TEST_CASE("hostile corpus: bad header, lying counts, huge strings, bad values are rejected naming the field") {
  size_t checked = 0;
  for (const HostileGgufCase &c : make_hostile_gguf_corpus()) {
    if (!c.must_reject || c.name.find("_truncated_at_") != std::string::npos) continue;
    check_rejected(c);
    ++checked;
  }
  CHECK(checked >= 60);
}

TEST_CASE("hostile corpus: byte flips never crash, errors name an offset, accepted files are safe to use") {
  size_t rejected = 0, accepted = 0;
  for (const HostileGgufCase &c : cases_named("flip_", false)) {
    CAPTURE(c.name);
    std::vector<uint8_t> storage;
    Result<GgufFile> parsed = parse_exact(c.bytes, storage);
    if (parsed.is_ok()) {
      ++accepted;
      const GgufExerciseReport report = exercise_gguf_file(parsed.value(), storage.data(), storage.size());
      CHECK_MESSAGE(report.violation.empty(), report.violation);
    } else {
      ++rejected;
      CAPTURE(parsed.status().message());
      CHECK(reported_offset(parsed.status().message()) >= 0);
    }
  }
  MESSAGE("byte flips: " << rejected << " rejected, " << accepted << " still valid");
  CHECK(rejected > accepted);  // most flips land in lengths, counts, types and dims
}
