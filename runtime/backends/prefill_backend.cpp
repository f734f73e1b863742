#include "runtime/backends/prefill_backend.h"

namespace ballast {

const char *prefill_backend_name(PrefillBackendKind kind) {
  switch (kind) {
    case PrefillBackendKind::native: return "native";
    case PrefillBackendKind::onednn: return "onednn";
    case PrefillBackendKind::xnnpack: return "xnnpack";
  }
  return "?";
}

bool prefill_backend_compiled(PrefillBackendKind kind) {
  switch (kind) {
    case PrefillBackendKind::native: return true;
#if defined(BALLAST_HAVE_ONEDNN)
    case PrefillBackendKind::onednn: return true;
#endif
#if defined(BALLAST_HAVE_XNNPACK)
    case PrefillBackendKind::xnnpack: return true;
#endif
    default: return false;
  }
}

const char *prefill_backend_choice_name(PrefillBackendChoice choice) {
  switch (choice) {
    case PrefillBackendChoice::automatic: return "auto";
    case PrefillBackendChoice::native: return "native";
    case PrefillBackendChoice::onednn: return "onednn";
    case PrefillBackendChoice::xnnpack: return "xnnpack";
  }
  return "?";
}

Result<PrefillBackendChoice> parse_prefill_backend_choice(std::string_view name) {
  if (name == "auto") return PrefillBackendChoice::automatic;
  if (name == "native") return PrefillBackendChoice::native;
  if (name == "onednn") return PrefillBackendChoice::onednn;
  if (name == "xnnpack") return PrefillBackendChoice::xnnpack;
  return make_status(StatusCode::invalid_argument, "prefill backend '%.*s' (expected auto, native, onednn or xnnpack)",
                     static_cast<int>(name.size()), name.data());
}

int64_t prefill_operand_bytes(PrefillOperand operand) { return operand == PrefillOperand::bf16 ? 2 : 4; }

Result<std::unique_ptr<PrefillBackend>> create_prefill_backend(PrefillBackendKind kind, PrefillOperand operand,
                                                               uint32_t callers) {
  switch (kind) {
#if defined(BALLAST_HAVE_ONEDNN)
    case PrefillBackendKind::onednn: return create_onednn_backend(operand, callers);
#endif
#if defined(BALLAST_HAVE_XNNPACK)
    case PrefillBackendKind::xnnpack:
      if (operand != PrefillOperand::f32) {
        return make_status(StatusCode::unsupported, "xnnpack prefill backend computes in f32 only");
      }
      return create_xnnpack_backend(callers);
#endif
    default: break;
  }
  (void)operand;
  (void)callers;
  return make_status(StatusCode::unsupported, "prefill backend %s is not in this build", prefill_backend_name(kind));
}

Result<PrefillBackend *> PrefillBackendSet::get(PrefillBackendKind kind, PrefillOperand operand) {
  int slot = -1;
  if (kind == PrefillBackendKind::onednn) slot = operand == PrefillOperand::bf16 ? 1 : 0;
  if (kind == PrefillBackendKind::xnnpack) slot = 2;
  if (slot < 0) return make_status(StatusCode::invalid_argument, "native is not a prefill backend object");
  if (backends_[slot] == nullptr) {
    BALLAST_ASSIGN_OR_RETURN(backends_[slot], create_prefill_backend(kind, operand, callers_));
  }
  return backends_[slot].get();
}

}  // namespace ballast
