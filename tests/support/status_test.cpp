#include <doctest/doctest.h>

#include "platform/status.h"

using namespace ballast;

namespace {
Result<int> parse_positive(int v) {
  if (v <= 0) return make_status(StatusCode::invalid_argument, "value %d is not positive", v);
  return v;
}
Result<int> doubled(int v) {
  BALLAST_ASSIGN_OR_RETURN(int x, parse_positive(v));
  return 2 * x;
}
}  // namespace

TEST_CASE("Status carries a code and a formatted message") {
  Status s = make_status(StatusCode::corrupt_file, "field '%s' at offset %d", "n_dims", 24);
  CHECK_FALSE(s.is_ok());
  CHECK(s.code() == StatusCode::corrupt_file);
  CHECK(s.to_string() == "corrupt_file: field 'n_dims' at offset 24");
  CHECK(Status::ok().is_ok());
}

TEST_CASE("Result propagates values and errors through BALLAST_ASSIGN_OR_RETURN") {
  Result<int> good = doubled(21);
  REQUIRE(good.is_ok());
  CHECK(good.value() == 42);
  Result<int> bad = doubled(-1);
  CHECK_FALSE(bad.is_ok());
  CHECK(bad.status().message() == "value -1 is not positive");
}

TEST_CASE("Result built from an ok Status is an internal error, not a value") {
  Result<int> r = Status::ok();
  CHECK_FALSE(r.is_ok());
  CHECK(r.status().code() == StatusCode::internal);
}
