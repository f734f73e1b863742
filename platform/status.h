// Errors as values. Every fallible internal function returns Status or
// Result<T>; the C API turns these into status codes. Nothing here throws and
// nothing aborts. A Status that is ok() carries no message and never
// allocates, so returning it on the hot path is free.
#pragma once

#include <cstdarg>
#include <cstdint>
#include <string>
#include <utility>

namespace ballast {

// Ranged codes, grouped by who is at fault (ExecuTorch-style).
enum class StatusCode : int32_t {
  ok = 0,
  // 1..99: the caller passed something wrong.
  invalid_argument = 1,
  out_of_range = 2,
  // 100..199: the input data (model file, state file, text) is bad.
  corrupt_file = 100,
  unsupported = 101,
  // 200..299: the environment said no.
  out_of_memory = 200,
  io_error = 201,
  // 300..: our own bug or an impossible state.
  internal = 300,
};

const char *status_code_name(StatusCode code);

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }

  bool is_ok() const { return code_ == StatusCode::ok; }
  StatusCode code() const { return code_; }
  const std::string &message() const { return message_; }
  // "corrupt_file: tensor 'x' data [..] lies past end of file" (or "ok").
  std::string to_string() const;

 private:
  StatusCode code_ = StatusCode::ok;
  std::string message_;
};

// printf-style constructor for error statuses.
Status make_status(StatusCode code, const char *format, ...) __attribute__((format(printf, 2, 3)));

// Either a value or an error Status. T must be movable.
template <typename T>
class Result {
 public:
  Result(T value) : has_value_(true) { new (&storage_) T(std::move(value)); }  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {                         // NOLINT: implicit by design
    if (status_.is_ok()) status_ = Status(StatusCode::internal, "Result constructed from ok Status without a value");
  }
  Result(Result &&other) noexcept : status_(std::move(other.status_)), has_value_(other.has_value_) {
    if (has_value_) new (&storage_) T(std::move(other.value_ref()));
  }
  Result &operator=(Result &&other) noexcept {
    if (this != &other) {
      destroy();
      status_ = std::move(other.status_);
      has_value_ = other.has_value_;
      if (has_value_) new (&storage_) T(std::move(other.value_ref()));
    }
    return *this;
  }
  Result(const Result &) = delete;
  Result &operator=(const Result &) = delete;
  ~Result() { destroy(); }

  bool is_ok() const { return has_value_; }
  const Status &status() const { return status_; }
  T &value() & { return value_ref(); }
  const T &value() const & { return value_ref(); }
  T &&value() && { return std::move(value_ref()); }
  T *operator->() { return &value_ref(); }
  const T *operator->() const { return &value_ref(); }
  T &operator*() & { return value_ref(); }

 private:
  T &value_ref() { return *reinterpret_cast<T *>(&storage_); }
  const T &value_ref() const { return *reinterpret_cast<const T *>(&storage_); }
  void destroy() {
    if (has_value_) value_ref().~T();
    has_value_ = false;
  }

  Status status_;
  bool has_value_ = false;
  alignas(T) unsigned char storage_[sizeof(T)];
};

}  // namespace ballast

// Return early from the enclosing function if `expr` (a Status) is an error.
#define BALLAST_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::ballast::Status ballast_status_tmp_ = (expr);    \
    if (!ballast_status_tmp_.is_ok()) return ballast_status_tmp_; \
  } while (0)

#define BALLAST_CONCAT_INNER_(a, b) a##b
#define BALLAST_CONCAT_(a, b) BALLAST_CONCAT_INNER_(a, b)
// `BALLAST_ASSIGN_OR_RETURN(auto x, f());` declares x from a Result or returns its error.
#define BALLAST_ASSIGN_OR_RETURN(lhs, expr) \
  BALLAST_ASSIGN_OR_RETURN_IMPL_(BALLAST_CONCAT_(ballast_result_, __LINE__), lhs, expr)
#define BALLAST_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.is_ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
