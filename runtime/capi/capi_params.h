// C parameter structs <-> the engine's: defaults, field-by-field validation
// (errors name the field and its allowed range) and conversion.
#pragma once

#include "runtime/capi/ballast.h"
#include "runtime/engine/session.h"

namespace ballast::capi {

ballast_sampling_params default_sampling_params();
ballast_session_params default_session_params();

// Checks every field against its documented range, then converts. Errors
// are invalid_argument with a message such as "session params: window = 0
// is outside 1..16777216".
Result<SessionParams> to_session_params(const ballast_session_params &params);

}  // namespace ballast::capi
