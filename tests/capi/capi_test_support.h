// Test models for the C API tests: a small random-weight llama model written
// by ballast-mkmodel's library to a temporary file that lives for the whole
// test process (C API users load models by path).
#pragma once

#include <unistd.h>

#include <cstdio>
#include <string>

#include <doctest/doctest.h>

#include "runtime/capi/ballast.h"
#include "tools/mkmodel/model_generator.h"

namespace ballast::capi_test {

inline mkmodel::ModelSpec small_spec() {
  mkmodel::ModelSpec spec;
  spec.arch = mkmodel::ModelArch::llama;
  spec.type = TensorType::q8_0;
  spec.dim = 64;
  spec.layers = 2;
  spec.heads = 4;
  spec.kv_heads = 2;
  spec.ffn = 128;
  spec.vocab = 400;
  spec.ctx = 256;
  spec.seed = 7;
  return spec;
}

// Writes `spec` once per (tag, process) and removes the file at exit.
class TempModelFile {
 public:
  TempModelFile(const mkmodel::ModelSpec &spec, const std::string &tag)
      : path_(std::string(P_tmpdir) + "/ballast-capi-" + tag + "-" + std::to_string(getpid()) + ".gguf") {
    auto written = mkmodel::write_model_file(spec, path_);
    REQUIRE_MESSAGE(written.is_ok(), written.status().to_string());
  }
  ~TempModelFile() { std::remove(path_.c_str()); }
  TempModelFile(const TempModelFile &) = delete;
  TempModelFile &operator=(const TempModelFile &) = delete;
  const std::string &path() const { return path_; }

 private:
  std::string path_;
};

inline const std::string &small_model_path() {
  static TempModelFile file(small_spec(), "small");
  return file.path();
}

// Loads the small model through the C API (REQUIREs success).
struct LoadedModel {
  ballast_model *model = nullptr;
  LoadedModel() {
    const ballast_status status = ballast_model_load(small_model_path().c_str(), nullptr, &model);
    REQUIRE_MESSAGE(status == BALLAST_OK, ballast_last_error());
    REQUIRE(model != nullptr);
  }
  ~LoadedModel() { ballast_model_free(model); }
  LoadedModel(const LoadedModel &) = delete;
  LoadedModel &operator=(const LoadedModel &) = delete;
};

struct CreatedSession {
  ballast_session *session = nullptr;
  CreatedSession(const ballast_model *model, const ballast_session_params &params) {
    const ballast_status status = ballast_session_create(model, &params, &session);
    REQUIRE_MESSAGE(status == BALLAST_OK, ballast_last_error());
    REQUIRE(session != nullptr);
  }
  ~CreatedSession() { ballast_session_free(session); }
  CreatedSession(const CreatedSession &) = delete;
  CreatedSession &operator=(const CreatedSession &) = delete;
};

// Small cache so tests run through eviction quickly.
inline ballast_session_params small_session_params() {
  ballast_session_params p = ballast_session_default_params();
  p.sinks = 4;
  p.window = 28;
  p.batch = 16;
  p.kv_type = BALLAST_KV_F32;
  return p;
}

}  // namespace ballast::capi_test
