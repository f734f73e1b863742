// The stream driver: summaries leave only the rolling memory behind, session
// snapshots are exact, checkpoints resume exactly, and bad state files are
// refused without touching the stream.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "runtime/stream/state_file.h"
#include "runtime/stream/stream_driver.h"
#include "runtime/stream/summary_output.h"
#include "runtime/stream/summary_prompt.h"
#include "tests/stream/stream_test_support.h"

using namespace ballast;
using namespace ballast::test;

namespace {

const char *kLines[] = {
    "Mr. President, Mr. Speaker, Members of the Congress:",
    "I address you at a moment unprecedented in the history of the Union.",
    "We must all prepare to make the sacrifices that the emergency demands.",
    "The first is freedom of speech and expression, everywhere in the world.",
    "The second is freedom of every person to worship God in his own way.",
    "The third is freedom from want, and the fourth is freedom from fear.",
};

std::unique_ptr<StreamDriver> make_driver(const Model &model, const StreamParams &params = stream_test_params()) {
  auto d = StreamDriver::create(model, stream_test_session_params(), params);
  REQUIRE_MESSAGE(d.is_ok(), d.status().to_string());
  return std::move(d).value();
}

std::vector<int32_t> cached_ids(const Session &s) {
  std::vector<int32_t> ids(s.cache().capacity() + 1);
  auto n = s.cache().cached_token_ids(ids.data(), static_cast<uint32_t>(ids.size()));
  REQUIRE(n.is_ok());
  ids.resize(n.value());
  return ids;
}

std::string temp_path(const std::string &tag) {
  return std::string(P_tmpdir) + "/ballast-stream-test-" + tag + "-" + std::to_string(::getpid()) + ".state";
}

std::vector<char> read_bytes(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(f), {});
}

void write_bytes(const std::string &path, const std::vector<char> &bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Runs lines[from..to) with a summary after every second line; returns the summaries.
std::vector<std::string> run_lines(StreamDriver &d, int from, int to) {
  std::vector<std::string> summaries;
  for (int i = from; i < to; ++i) {
    REQUIRE(d.feed_text(kLines[i % 6]).is_ok());
    if (i % 2 == 1) {
      REQUIRE(d.summarize().is_ok());
      summaries.emplace_back(d.summary_text());
    }
  }
  return summaries;
}

}  // namespace

TEST_CASE("stream prompt: chat template families are recognised") {
  CHECK(detect_prompt_style("{% for m in messages %}<|im_start|>{{m.role}}") == PromptStyle::chatml);
  CHECK(detect_prompt_style("<|start_header_id|>user<|end_header_id|>") == PromptStyle::llama3);
  CHECK(detect_prompt_style("<|user|>\n{{ message }}</s>") == PromptStyle::zephyr);
  CHECK(detect_prompt_style("[INST] {{ m }} [/INST]") == PromptStyle::llama2);
  CHECK(detect_prompt_style("") == PromptStyle::plain);
  const SummaryPromptText chatml = render_summary_prompt(PromptStyle::chatml, "Sum up.");
  CHECK(chatml.before_summary == "\n<|im_start|>user\nSum up.<|im_end|>\n<|im_start|>assistant\n");
  CHECK_FALSE(chatml.stop_at_newline);
  CHECK(render_summary_prompt(PromptStyle::plain, "x").stop_at_newline);
}

TEST_CASE("stream output: JSON lines escape quotes and backslashes and controls") {
  char buffer[512];
  SummaryRecord r;
  r.t = 1.5;
  r.tokens_seen = 42;
  r.summary = "say \"hi\" \\ now\x01";
  const size_t n = format_summary(SummaryFormat::jsonl, r, buffer, sizeof(buffer));
  const std::string line(buffer, n);
  CHECK(line == "{\"t\":1.500,\"elapsed_s\":0.000,\"tokens_seen\":42,\"summary_index\":0,\"dropped_lines\":0,"
                "\"summary\":\"say \\\"hi\\\" \\\\ now\\u0001\"}\n");
  r.summary = "caf\xC3\xA9";
  const std::string text(buffer, format_summary(SummaryFormat::text, r, buffer, sizeof(buffer)));
  CHECK(text == "[summary 0 | t 00:00:01 | 42 tokens] caf\xC3\xA9\n");
}

TEST_CASE("session snapshot: restore gives bit-identical logits and cache") {
  auto model = make_stream_test_model();
  auto session = make_session(*model, stream_test_session_params());
  const auto tokens = test_tokens(100, model->config.n_vocab);
  REQUIRE(session->feed(tokens.data(), 70).is_ok());  // past eviction (window 60)
  std::vector<uint8_t> snapshot(session->state_bytes());
  REQUIRE(session->save_state(snapshot.data(), snapshot.size()).is_ok());
  const auto ids_before = cached_ids(*session);
  const uint64_t seen_before = session->stats().tokens_seen;

  REQUIRE(session->feed(tokens.data() + 70, 30).is_ok());
  std::vector<float> first(session->logits(), session->logits() + model->config.n_vocab);
  REQUIRE(session->restore_state(snapshot.data(), snapshot.size()).is_ok());
  CHECK(cached_ids(*session) == ids_before);
  CHECK(session->stats().tokens_seen == seen_before);
  REQUIRE(session->feed(tokens.data() + 70, 30).is_ok());
  CHECK(std::memcmp(first.data(), session->logits(), first.size() * sizeof(float)) == 0);

  CHECK_FALSE(session->restore_state(snapshot.data(), snapshot.size() - 1).is_ok());
  std::vector<uint8_t> wrong = snapshot;
  uint64_t bad_size = 12345;
  std::memcpy(wrong.data(), &bad_size, sizeof(bad_size));  // first region size
  CHECK_FALSE(session->restore_state(wrong.data(), wrong.size()).is_ok());
}

TEST_CASE("stream summary: the prompt and summary tokens leave the cache - only the memory is added") {
  auto model = make_stream_test_model();
  auto d = make_driver(*model);
  for (int i = 0; i < 2; ++i) REQUIRE(d->feed_text(kLines[i]).is_ok());
  const auto before = cached_ids(d->session());
  const uint64_t transcript = d->counters().transcript_tokens;
  REQUIRE(d->summarize().is_ok());
  const auto after = cached_ids(d->session());
  CHECK(d->counters().transcript_tokens == transcript);  // memory is not transcript
  CHECK(d->counters().summaries == 1);
  const uint64_t memory = d->counters().memory_tokens;
  CHECK(memory > 0);
  CHECK(memory <= stream_test_params().memory_max_tokens);
  // after = (before, evicting as needed) + memory prefix + memory + suffix: the
  // newest `memory` ids before the suffix are the summary's first tokens.
  REQUIRE(after.size() >= memory);
  CHECK(after.size() <= d->session().cache().capacity());
  CHECK(d->counters().last_summary_at == transcript);
  // The summary prompt ("Summary of the transcript so far:") is not in the cache.
  std::vector<int32_t> prompt_ids;
  REQUIRE(model->tokenizer.encode("\n\nSummary of the transcript so far:", false, true, &prompt_ids).is_ok());
  const auto hit = std::search(after.begin(), after.end(), prompt_ids.begin(), prompt_ids.end());
  CHECK(hit == after.end());
  // And the transcript before it is untouched: it is the start of `after`
  // (nothing was evicted: 2 short lines + memory fit in the window).
  REQUIRE(after.size() > before.size());
  REQUIRE(d->session().stats().evictions == 0);
  CHECK(std::equal(before.begin(), before.end(), after.begin()));
}

TEST_CASE("stream summary: the same stream gives the same summaries (seeded per summary)") {
  auto model = make_stream_test_model();
  auto a = make_driver(*model);
  auto b = make_driver(*model);
  const auto sa = run_lines(*a, 0, 8);
  const auto sb = run_lines(*b, 0, 8);
  CHECK(sa == sb);
  CHECK(sa.size() == 4);
}

TEST_CASE("stream checkpoint: a resumed stream continues exactly as the uninterrupted one") {
  auto model = make_stream_test_model();
  const std::string path = temp_path("resume");
  auto reference = make_driver(*model);
  REQUIRE(reference->set_state_path(path).is_ok());
  run_lines(*reference, 0, 6);  // past eviction, 3 summaries
  reference->counters().input_offset = 4242;
  REQUIRE(reference->save_checkpoint().is_ok());
  const auto expected = run_lines(*reference, 6, 14);

  auto resumed = make_driver(*model);
  REQUIRE(resumed->set_state_path(path).is_ok());
  REQUIRE(resumed->load_checkpoint().is_ok());
  CHECK(resumed->counters().input_offset == 4242);
  CHECK(resumed->counters().summaries == 3);
  const auto got = run_lines(*resumed, 6, 14);
  CHECK(got == expected);
  CHECK(resumed->counters().transcript_tokens == reference->counters().transcript_tokens);
  CHECK(cached_ids(resumed->session()) == cached_ids(reference->session()));
  std::remove(path.c_str());
}

TEST_CASE("stream checkpoint: corrupted or truncated or other-model or other-version files are refused") {
  auto model = make_stream_test_model();
  const std::string path = temp_path("refuse");
  auto writer = make_driver(*model);
  REQUIRE(writer->set_state_path(path).is_ok());
  run_lines(*writer, 0, 4);
  REQUIRE(writer->save_checkpoint().is_ok());
  const std::vector<char> good = read_bytes(path);
  REQUIRE(good.size() == sizeof(StateFileHeader) + writer->state_payload_bytes());

  auto reader = make_driver(*model);
  REQUIRE(reader->set_state_path(path).is_ok());
  const auto ids_fresh = cached_ids(reader->session());
  auto refused = [&](const std::vector<char> &bytes, const char *needle) {
    write_bytes(path, bytes);
    Status st = reader->load_checkpoint();
    CHECK_FALSE(st.is_ok());
    CHECK_MESSAGE(st.message().find(needle) != std::string::npos, st.message());
    CHECK(cached_ids(reader->session()) == ids_fresh);  // nothing loaded
    CHECK(reader->counters().summaries == 0);
  };
  // Flip one byte anywhere: header, payload start, middle, end.
  for (size_t at : {size_t{3}, size_t{20}, sizeof(StateFileHeader) + 1, good.size() / 2, good.size() - 1}) {
    std::vector<char> bad = good;
    bad[at] ^= 0x10;
    write_bytes(path, bad);
    Status st = reader->load_checkpoint();
    CHECK_FALSE(st.is_ok());
    CHECK(cached_ids(reader->session()) == ids_fresh);
  }
  refused(std::vector<char>(good.begin() + 0, good.begin() + 40), "truncated");
  refused(std::vector<char>(good.begin(), good.end() - 100), "truncated");
  refused({}, "truncated");
  std::vector<char> junk(good.size(), 'x');
  refused(junk, "not a Ballast stream state file");
  {  // another version, header checksum recomputed
    std::vector<char> v = good;
    StateFileHeader h;
    std::memcpy(&h, v.data(), sizeof(h));
    h.version = kStateFileVersion + 1;
    h.header_checksum = fnv1a64(&h, offsetof(StateFileHeader, header_checksum));
    std::memcpy(v.data(), &h, sizeof(h));
    refused(v, "format version");
  }
  {  // another model (same shape, other weights)
    auto other_model = make_stream_test_model(6);
    auto other = make_driver(*other_model);
    const std::string other_path = temp_path("other");
    REQUIRE(other->set_state_path(other_path).is_ok());
    REQUIRE(other->save_checkpoint().is_ok());
    refused(read_bytes(other_path), "another model");
    std::remove(other_path.c_str());
  }
  {  // other stream settings
    StreamParams params = stream_test_params();
    params.summary_max_tokens = 13;
    auto other = make_driver(*model, params);
    const std::string other_path = temp_path("settings");
    REQUIRE(other->set_state_path(other_path).is_ok());
    REQUIRE(other->save_checkpoint().is_ok());
    refused(read_bytes(other_path), "other stream settings");
    std::remove(other_path.c_str());
  }
  write_bytes(path, good);
  CHECK(reader->load_checkpoint().is_ok());
  CHECK(reader->counters().summaries == 2);
  std::remove(path.c_str());
  std::remove((path + ".tmp").c_str());
  Status missing = reader->load_checkpoint();
  CHECK(missing.message().rfind("no state file", 0) == 0);
}

TEST_CASE("stream prompt: a model with a ChatML template gets the chatml prompt and its summaries still leave no trace") {
  mkmodel::ModelSpec spec;
  spec.seed = 5;
  spec.vocab_from = std::string(BALLAST_SOURCE_DIR) + "/models/default/ballast-default.gguf";
  auto model = make_test_model(spec, "stream-chatml", [](GgufWriter &w) {
    w.set_string("tokenizer.chat_template",
                 "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}");
  });
  auto d = make_driver(*model);
  CHECK(d->prompt_style() == PromptStyle::chatml);
  REQUIRE(d->feed_text(kLines[0]).is_ok());
  const auto before = cached_ids(d->session());
  REQUIRE(d->summarize().is_ok());
  const auto after = cached_ids(d->session());
  REQUIRE(after.size() >= before.size());
  CHECK(std::equal(before.begin(), before.end(), after.begin()));

  StreamParams plain = stream_test_params();
  plain.use_chat_template = false;
  CHECK(make_driver(*model, plain)->prompt_style() == PromptStyle::plain);
}

TEST_CASE("stream feed_text: lines past max_text_bytes are still fed whole with the same ids") {
  // The tokenizer workspace is reserved for max_text_bytes; a longer text
  // grows it (allocating) but is tokenized exactly like a fresh encode.
  auto model = make_stream_test_model();
  StreamParams params = stream_test_params();
  params.max_text_bytes = 16;
  auto small = make_driver(*model, params);
  auto large = make_driver(*model);  // default: room for 3 * 4096 + 4 bytes
  std::string text;
  for (const char *line : kLines) text += std::string(line) + " caf\xC3\xA9 \xE4\xB8\xAD ";
  REQUIRE(text.size() > 16);
  const std::string joined = model->tokenizer.vocab().add_space_prefix ? text : " " + text;
  std::vector<int32_t> fresh;
  REQUIRE(model->tokenizer.encode(joined, false, false, &fresh).is_ok());
  for (int round = 0; round < 3; ++round) {
    const uint64_t small_before = small->counters().transcript_tokens;
    const uint64_t large_before = large->counters().transcript_tokens;
    REQUIRE(small->feed_text(text).is_ok());
    REQUIRE(large->feed_text(text).is_ok());
    CHECK(small->counters().transcript_tokens - small_before == fresh.size());
    CHECK(large->counters().transcript_tokens - large_before == fresh.size());
  }
  CHECK(cached_ids(small->session()) == cached_ids(large->session()));
}
