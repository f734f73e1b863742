// C API: library info, model loading (happy path and every failure class),
// model getters and the tokenizer helpers.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <thread>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "runtime/engine/model.h"
#include "tests/capi/capi_test_support.h"

using namespace ballast;
using namespace ballast::capi_test;

namespace {

std::vector<char> read_file_bytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string write_temp_bytes(const std::string &tag, const char *data, size_t size) {
  const std::string path = std::string(P_tmpdir) + "/ballast-capi-" + tag + "-" + std::to_string(getpid()) + ".gguf";
  std::ofstream out(path, std::ios::binary);
  out.write(data, static_cast<std::streamsize>(size));
  return path;
}

}  // namespace

TEST_CASE("capi version macros and ballast_version and status strings") {
  CHECK(std::string(ballast_version()) == BALLAST_VERSION_STRING);
  const std::string from_parts = std::to_string(BALLAST_VERSION_MAJOR) + "." + std::to_string(BALLAST_VERSION_MINOR) +
                                 "." + std::to_string(BALLAST_VERSION_PATCH);
  CHECK(from_parts == BALLAST_VERSION_STRING);
  CHECK(std::string(ballast_status_string(BALLAST_OK)) == "ok");
  CHECK(std::string(ballast_status_string(BALLAST_ERROR_INVALID_ARGUMENT)) == "invalid argument");
  CHECK(std::string(ballast_status_string(BALLAST_ERROR_BUFFER_TOO_SMALL)) == "buffer too small");
  CHECK(std::string(ballast_status_string(BALLAST_ERROR_OUT_OF_MEMORY)) == "out of memory");
  CHECK(std::string(ballast_status_string(static_cast<ballast_status>(299))) == "unknown status");
  // Every code has its own text.
  const ballast_status all[] = {BALLAST_OK,
                                BALLAST_ERROR_INVALID_ARGUMENT,
                                BALLAST_ERROR_OUT_OF_RANGE,
                                BALLAST_ERROR_BUFFER_TOO_SMALL,
                                BALLAST_ERROR_INVALID_STATE,
                                BALLAST_ERROR_CORRUPT_MODEL,
                                BALLAST_ERROR_UNSUPPORTED,
                                BALLAST_ERROR_OUT_OF_MEMORY,
                                BALLAST_ERROR_IO,
                                BALLAST_ERROR_INTERNAL};
  for (ballast_status a : all) {
    for (ballast_status b : all) {
      if (a != b) CHECK(std::string(ballast_status_string(a)) != ballast_status_string(b));
    }
  }
}

TEST_CASE("capi model load and getters agree with the C++ model") {
  LoadedModel loaded;
  auto cpp = load_model(small_model_path());
  REQUIRE(cpp.is_ok());
  const ModelConfig &config = cpp.value()->config;
  CHECK(ballast_model_n_vocab(loaded.model) == static_cast<int32_t>(config.n_vocab));
  CHECK(ballast_model_n_vocab(loaded.model) == 400);
  CHECK(ballast_model_n_ctx_train(loaded.model) == 256);
  CHECK(ballast_model_n_layer(loaded.model) == 2);
  CHECK(ballast_model_n_embd(loaded.model) == 64);
  CHECK(std::string(ballast_model_architecture(loaded.model)) == "llama");
  CHECK(std::string(ballast_model_name(loaded.model)) == config.name);
  CHECK(ballast_model_bos_token(loaded.model) == cpp.value()->tokenizer.bos_id());
  CHECK(ballast_model_eos_token(loaded.model) == cpp.value()->tokenizer.eos_id());
  CHECK(ballast_model_eot_token(loaded.model) == cpp.value()->tokenizer.eot_id());
  CHECK(ballast_model_bos_token(loaded.model) == 1);
  CHECK(ballast_model_eos_token(loaded.model) == 2);
  CHECK(ballast_model_declared_sink_slots(loaded.model) == 0);
  CHECK(ballast_model_is_end_of_generation(loaded.model, ballast_model_eos_token(loaded.model)));
  CHECK_FALSE(ballast_model_is_end_of_generation(loaded.model, 100));
  CHECK_FALSE(ballast_model_is_end_of_generation(loaded.model, -1));
  CHECK_FALSE(ballast_model_is_end_of_generation(loaded.model, 400));

  ballast_model_params params = ballast_model_default_params();
  CHECK_FALSE(params.prefetch);
  params.prefetch = true;
  ballast_model *prefetched = nullptr;
  REQUIRE(ballast_model_load(small_model_path().c_str(), &params, &prefetched) == BALLAST_OK);
  CHECK(ballast_model_n_vocab(prefetched) == 400);
  ballast_model_free(prefetched);
}

TEST_CASE("capi model functions reject null pointers") {
  ballast_model *model = reinterpret_cast<ballast_model *>(0x1);  // must be overwritten with NULL
  CHECK(ballast_model_load(nullptr, nullptr, &model) == BALLAST_ERROR_INVALID_ARGUMENT);
  CHECK(model == nullptr);
  CHECK(std::string(ballast_last_error()).find("path") != std::string::npos);
  CHECK(ballast_model_load(small_model_path().c_str(), nullptr, nullptr) == BALLAST_ERROR_INVALID_ARGUMENT);
  ballast_model_free(nullptr);  // no-op
  CHECK(ballast_model_n_vocab(nullptr) == -1);
  CHECK(ballast_model_n_ctx_train(nullptr) == -1);
  CHECK(ballast_model_n_layer(nullptr) == -1);
  CHECK(ballast_model_n_embd(nullptr) == -1);
  CHECK(ballast_model_bos_token(nullptr) == -1);
  CHECK(ballast_model_eos_token(nullptr) == -1);
  CHECK(ballast_model_eot_token(nullptr) == -1);
  CHECK(ballast_model_declared_sink_slots(nullptr) == -1);
  CHECK(std::string(ballast_model_architecture(nullptr)).empty());
  CHECK(std::string(ballast_model_name(nullptr)).empty());
  CHECK_FALSE(ballast_model_is_end_of_generation(nullptr, 2));

  size_t n = 0;
  int32_t ids[8];
  char buf[16];
  CHECK(ballast_tokenize(nullptr, "a", 1, true, false, ids, 8, &n) == BALLAST_ERROR_INVALID_ARGUMENT);
  LoadedModel loaded;
  CHECK(ballast_tokenize(loaded.model, nullptr, 3, true, false, ids, 8, &n) == BALLAST_ERROR_INVALID_ARGUMENT);
  CHECK(ballast_tokenize(loaded.model, "abc", 3, true, false, nullptr, 8, &n) == BALLAST_ERROR_INVALID_ARGUMENT);
  CHECK(ballast_tokenize(loaded.model, "abc", 3, true, false, ids, 8, nullptr) == BALLAST_ERROR_INVALID_ARGUMENT);
  CHECK(ballast_token_to_piece(nullptr, 5, false, buf, sizeof(buf), &n) == BALLAST_ERROR_INVALID_ARGUMENT);
  CHECK(ballast_token_to_piece(loaded.model, 5, false, buf, sizeof(buf), nullptr) == BALLAST_ERROR_INVALID_ARGUMENT);
  CHECK(ballast_detokenize(nullptr, ids, 1, false, buf, sizeof(buf), &n) == BALLAST_ERROR_INVALID_ARGUMENT);
  CHECK(ballast_detokenize(loaded.model, nullptr, 2, false, buf, sizeof(buf), &n) == BALLAST_ERROR_INVALID_ARGUMENT);
}

TEST_CASE("capi model load failures: missing file and directory and truncated and corrupt files") {
  ballast_model *model = nullptr;
  CHECK(ballast_model_load("/nonexistent/dir/model.gguf", nullptr, &model) == BALLAST_ERROR_IO);
  CHECK(model == nullptr);
  CHECK(std::string(ballast_last_error()).find("/nonexistent/dir/model.gguf") != std::string::npos);

  CHECK(ballast_model_load(P_tmpdir, nullptr, &model) != BALLAST_OK);
  CHECK(model == nullptr);
  CHECK(std::strlen(ballast_last_error()) > 0);

  const std::vector<char> bytes = read_file_bytes(small_model_path());
  REQUIRE(bytes.size() > 4096);
  // Truncated at several points: in the header, in the metadata, in the tensor data.
  for (size_t cut : {size_t{3}, size_t{20}, size_t{200}, bytes.size() / 2, bytes.size() - 1}) {
    CAPTURE(cut);
    const std::string path = write_temp_bytes("truncated", bytes.data(), cut);
    const ballast_status status = ballast_model_load(path.c_str(), nullptr, &model);
    std::remove(path.c_str());
    CHECK(status == BALLAST_ERROR_CORRUPT_MODEL);
    CHECK(model == nullptr);
    CHECK(std::strlen(ballast_last_error()) > 0);
  }
  // Not a GGUF file at all.
  std::vector<char> garbage(4096, 'x');
  const std::string path = write_temp_bytes("garbage", garbage.data(), garbage.size());
  CHECK(ballast_model_load(path.c_str(), nullptr, &model) == BALLAST_ERROR_CORRUPT_MODEL);
  std::remove(path.c_str());
  CHECK(model == nullptr);
}

TEST_CASE("capi tokenize equals the C++ tokenizer and reports the count when the buffer is too small") {
  LoadedModel loaded;
  auto cpp = load_model(small_model_path());
  REQUIRE(cpp.is_ok());
  const std::string text = "hello world, a cat sat on the mat";
  std::vector<int32_t> expected;
  REQUIRE(cpp.value()->tokenizer.encode(text, true, false, &expected).is_ok());
  REQUIRE(expected.size() > 3);
  CHECK(expected[0] == ballast_model_bos_token(loaded.model));

  size_t n = 0;
  CHECK(ballast_tokenize(loaded.model, text.data(), text.size(), true, false, nullptr, 0, &n) ==
        BALLAST_ERROR_BUFFER_TOO_SMALL);
  CHECK(n == expected.size());
  std::vector<int32_t> small(expected.size() - 1, -7);
  n = 0;
  CHECK(ballast_tokenize(loaded.model, text.data(), text.size(), true, false, small.data(), small.size(), &n) ==
        BALLAST_ERROR_BUFFER_TOO_SMALL);
  CHECK(n == expected.size());
  for (int32_t id : small) CHECK(id == -7);  // untouched
  CHECK(std::string(ballast_last_error()).find("capacity") != std::string::npos);

  std::vector<int32_t> ids(expected.size());
  REQUIRE(ballast_tokenize(loaded.model, text.data(), text.size(), true, false, ids.data(), ids.size(), &n) ==
          BALLAST_OK);
  CHECK(n == expected.size());
  CHECK(ids == expected);

  // Without special tokens: no BOS. Empty text: zero tokens, success.
  REQUIRE(ballast_tokenize(loaded.model, text.data(), text.size(), false, false, ids.data(), ids.size(), &n) ==
          BALLAST_OK);
  CHECK(n == expected.size() - 1);
  CHECK(ids[0] == expected[1]);
  CHECK(ballast_tokenize(loaded.model, nullptr, 0, false, false, nullptr, 0, &n) == BALLAST_OK);
  CHECK(n == 0);

  // parse_special: "</s>" in the text becomes the EOS id only when asked.
  const std::string with_eos = "a</s>";
  REQUIRE(ballast_tokenize(loaded.model, with_eos.data(), with_eos.size(), false, true, ids.data(), ids.size(), &n) ==
          BALLAST_OK);
  REQUIRE(n >= 2);
  CHECK(ids[n - 1] == ballast_model_eos_token(loaded.model));
  REQUIRE(ballast_tokenize(loaded.model, with_eos.data(), with_eos.size(), false, false, ids.data(), ids.size(), &n) ==
          BALLAST_OK);
  for (size_t i = 0; i < n; ++i) CHECK(ids[i] != ballast_model_eos_token(loaded.model));
}

TEST_CASE("capi token_to_piece and detokenize round-trip text and with buffer-size and range errors") {
  LoadedModel loaded;
  const std::string text = "the quick brown fox";
  int32_t ids[64];
  size_t n_ids = 0;
  REQUIRE(ballast_tokenize(loaded.model, text.data(), text.size(), false, false, ids, 64, &n_ids) == BALLAST_OK);

  char buf[256];
  size_t n = 0;
  REQUIRE(ballast_detokenize(loaded.model, ids, n_ids, false, buf, sizeof(buf), &n) == BALLAST_OK);
  CHECK(std::string(buf, n) == text);  // the space SentencePiece put before the first word is dropped
  CHECK(buf[n] == '\0');
  CHECK(ballast_detokenize(loaded.model, ids, n_ids, false, buf, text.size(), &n) == BALLAST_ERROR_BUFFER_TOO_SMALL);
  CHECK(n == text.size());  // needs n + 1 with the NUL
  // After a BOS (llama.cpp's rule: only a first token's space is dropped).
  int32_t with_bos[65];
  with_bos[0] = ballast_model_bos_token(loaded.model);
  std::memcpy(with_bos + 1, ids, n_ids * sizeof(int32_t));
  REQUIRE(ballast_detokenize(loaded.model, with_bos, n_ids + 1, false, buf, sizeof(buf), &n) == BALLAST_OK);
  CHECK(std::string(buf, n) == " " + text);
  REQUIRE(ballast_detokenize(loaded.model, with_bos, n_ids + 1, true, buf, sizeof(buf), &n) == BALLAST_OK);
  CHECK(std::string(buf, n) == "<s> " + text);

  // Pieces concatenated give the text (with the leading space SPM adds).
  std::string joined;
  for (size_t i = 0; i < n_ids; ++i) {
    REQUIRE(ballast_token_to_piece(loaded.model, ids[i], false, buf, sizeof(buf), &n) == BALLAST_OK);
    CHECK(std::strlen(buf) == n);
    joined.append(buf, n);
  }
  CHECK(joined == " " + text);

  // BOS renders only on request.
  const int32_t bos = ballast_model_bos_token(loaded.model);
  REQUIRE(ballast_token_to_piece(loaded.model, bos, false, buf, sizeof(buf), &n) == BALLAST_OK);
  CHECK(n == 0);
  REQUIRE(ballast_token_to_piece(loaded.model, bos, true, buf, sizeof(buf), &n) == BALLAST_OK);
  CHECK(std::string(buf, n) == "<s>");
  char tiny[3];
  CHECK(ballast_token_to_piece(loaded.model, bos, true, tiny, sizeof(tiny), &n) == BALLAST_ERROR_BUFFER_TOO_SMALL);
  CHECK(n == 3);

  CHECK(ballast_token_to_piece(loaded.model, -1, false, buf, sizeof(buf), &n) == BALLAST_ERROR_OUT_OF_RANGE);
  CHECK(ballast_token_to_piece(loaded.model, 400, false, buf, sizeof(buf), &n) == BALLAST_ERROR_OUT_OF_RANGE);
  const int32_t bad[] = {5, 400};
  CHECK(ballast_detokenize(loaded.model, bad, 2, false, buf, sizeof(buf), &n) == BALLAST_ERROR_OUT_OF_RANGE);
  CHECK(std::string(ballast_last_error()).find("tokens[1]") != std::string::npos);
}

TEST_CASE("capi last error is per thread") {
  ballast_model *model = nullptr;
  CHECK(ballast_model_load("/nonexistent/a.gguf", nullptr, &model) == BALLAST_ERROR_IO);
  const std::string mine = ballast_last_error();
  std::string theirs = "unset";
  std::thread other([&] { theirs = ballast_last_error(); });
  other.join();
  CHECK(theirs.empty());
  CHECK(std::string(ballast_last_error()) == mine);
}
