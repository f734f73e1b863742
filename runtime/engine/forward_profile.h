// Optional per-op timing of the forward pass (for `ballast bench`): when a
// ForwardProfile is attached, each op's wall time is added to its slot.
// Detached (the default) it costs one null check per op.
#pragma once

#include <cstdint>

#include "platform/monotonic_clock.h"

namespace ballast {

enum class ForwardOp : int { qkv_matmul, attention, wo_matmul, ffn_matmul, output_matmul, count };

inline const char *forward_op_name(ForwardOp op) {
  switch (op) {
    case ForwardOp::qkv_matmul: return "qkv_matmul";
    case ForwardOp::attention: return "attention";
    case ForwardOp::wo_matmul: return "wo_matmul";
    case ForwardOp::ffn_matmul: return "ffn_matmul";
    case ForwardOp::output_matmul: return "output_matmul";
    case ForwardOp::count: break;
  }
  return "unknown";
}

constexpr int kForwardOpCount = static_cast<int>(ForwardOp::count);

struct ForwardProfile {
  int64_t ns[kForwardOpCount] = {};  // wall time per op, summed over calls
  int64_t calls[kForwardOpCount] = {};
  void clear() { *this = ForwardProfile{}; }
};

// Adds the scope's wall time to profile->ns[op] (no-op when profile is null).
class ForwardProfileScope {
 public:
  ForwardProfileScope(ForwardProfile *profile, ForwardOp op)
      : profile_(profile), op_(op), start_ns_(profile != nullptr ? monotonic_now_ns() : 0) {}
  ~ForwardProfileScope() {
    if (profile_ == nullptr) return;
    profile_->ns[static_cast<int>(op_)] += monotonic_now_ns() - start_ns_;
    profile_->calls[static_cast<int>(op_)] += 1;
  }
  ForwardProfileScope(const ForwardProfileScope &) = delete;
  ForwardProfileScope &operator=(const ForwardProfileScope &) = delete;

 private:
  ForwardProfile *profile_;
  ForwardOp op_;
  int64_t start_ns_;
};

}  // namespace ballast
