// XNNPACK (Debian's 2022 snapshot) prefill backend: f32 fully-connected,
// input [batch][cols], kernel [rows][cols] (XNNPACK's default layout, our W
// as stored after conversion), output [batch][out_stride].
//
// Allocation (documented exception, prefill only): XNNPACK packs the weights
// when the operator is created, so every call creates (allocating the packed
// copy, rows x cols f32 plus padding), runs and deletes one operator. None of
// this runs in decode. Threads: none of its own (no pthreadpool: the
// operator runs on the calling thread); up to `callers` threads call at once
// (backend_linear's slices), each call with its own operator, which XNNPACK
// allows (operators are independent; only one operator must not be run
// from two threads at once).
#include <xnnpack.h>

#include <limits>

#include "runtime/backends/prefill_backend.h"

namespace ballast {
namespace {

Status xnn_error(xnn_status status, const char *what) {
  return make_status(StatusCode::internal, "XNNPACK %s failed (status %d)", what, static_cast<int>(status));
}

class XnnpackBackend final : public PrefillBackend {
 public:
  explicit XnnpackBackend(uint32_t callers) : callers_(callers) {}
  ~XnnpackBackend() override = default;
  XnnpackBackend(const XnnpackBackend &) = delete;
  XnnpackBackend &operator=(const XnnpackBackend &) = delete;

  Status init() {
    const xnn_status status = xnn_initialize(nullptr);  // reference-counted; never deinitialized (process lifetime)
    if (status != xnn_status_success) return xnn_error(status, "initialize");
    return Status::ok();
  }

  PrefillBackendKind kind() const override { return PrefillBackendKind::xnnpack; }
  PrefillOperand operand() const override { return PrefillOperand::f32; }
  uint32_t callers() const override { return callers_; }

  Status matmul(const PrefillMatmul &m) override {
    xnn_operator_t op = nullptr;
    xnn_status status = xnn_create_fully_connected_nc_f32(
        static_cast<size_t>(m.cols), static_cast<size_t>(m.rows), static_cast<size_t>(m.cols),
        static_cast<size_t>(m.out_stride), static_cast<const float *>(m.weights), nullptr,
        -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity(), 0, &op);
    if (status != xnn_status_success) return xnn_error(status, "create_fully_connected_nc_f32");
    status = xnn_setup_fully_connected_nc_f32(op, static_cast<size_t>(m.batch), static_cast<const float *>(m.in), m.out,
                                              nullptr);
    if (status == xnn_status_success) status = xnn_run_operator(op, nullptr);
    xnn_delete_operator(op);
    if (status != xnn_status_success) return xnn_error(status, "fully_connected run");
    return Status::ok();
  }

 private:
  uint32_t callers_;
};

}  // namespace

Result<std::unique_ptr<PrefillBackend>> create_xnnpack_backend(uint32_t callers) {
  auto backend = std::make_unique<XnnpackBackend>(callers == 0 ? 1 : callers);
  BALLAST_RETURN_IF_ERROR(backend->init());
  return std::unique_ptr<PrefillBackend>(std::move(backend));
}

}  // namespace ballast
