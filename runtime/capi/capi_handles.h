// What the C API's opaque handles are: a ballast_model owns a loaded Model; a
// ballast_session owns a Session plus the fixed buffers generate() needs
// (streaming detokenizer, piece buffer), so generating never allocates.
#pragma once

#include <memory>
#include <vector>

#include "models/tokenizer/stream_detokenizer.h"
#include "runtime/capi/ballast.h"
#include "runtime/capi/capi_errors.h"
#include "runtime/engine/model.h"
#include "runtime/engine/session.h"

struct ballast_model {
  std::unique_ptr<ballast::Model> model;  // immutable after load
};

struct ballast_session {
  ballast_session(const ballast_model *owner_model, std::unique_ptr<ballast::Session> engine_session, bool stop_ignored)
      : owner(owner_model),
        session(std::move(engine_session)),
        detokenizer(owner_model->model->tokenizer),
        ignore_eos(stop_ignored) {
    piece.resize(detokenizer.max_output_bytes() + 1);  // + NUL for the callback
  }

  const ballast_model *owner;
  std::unique_ptr<ballast::Session> session;
  ballast::StreamDetokenizer detokenizer;  // holds an incomplete UTF-8 character between tokens
  std::vector<char> piece;                 // [max_output_bytes + 1], sized once at creation
  bool ignore_eos;
  mutable char last_error[ballast::capi::kErrorMessageBytes] = "";  // written by const calls too
};
