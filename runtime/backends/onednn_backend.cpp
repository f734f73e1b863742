// oneDNN (2.x, C API: no exceptions) prefill backend: one matmul primitive per
// call, src [batch][cols] x weights [cols][rows] (our row-major W read as its
// transpose through strides) -> dst [batch][out_stride], in f32 or bf16
// operands with an f32 destination.
//
// Allocation (documented exception, prefill only): every call creates the
// primitive descriptor, the primitive (served from oneDNN's primitive cache
// after the first call of a shape) and three memory objects, and execute
// allocates oneDNN's scratchpad (library mode). None of this runs in decode.
// Threads: every call runs on its calling thread alone; up to `callers`
// threads call at once (backend_linear's slices). Debian's oneDNN uses
// OpenMP: the calling thread's OpenMP thread count is set to 1 before each
// call, through libgomp's omp_set_num_threads looked up at run time (libgomp
// is loaded with oneDNN; linking it directly would add a dependency the
// installed package must name). In libgomp that count is a per-thread
// setting for threads OpenMP did not create (checked: one thread's
// omp_set_num_threads(1) leaves another's omp_get_max_threads() at 2), so
// oneDNN runs its kernel inline, without a parallel region.
// Concurrency (oneDNN 2.x, library scratchpad, the default build): primitives
// "can be created and executed in parallel but cannot migrate between
// threads" -- each call creates its primitive (from the cache) on the thread
// that executes and destroys it. Each worker has its own stream.
#include <dlfcn.h>
#include <dnnl.h>

#include <vector>

#include "runtime/backends/prefill_backend.h"

namespace ballast {
namespace {

Status dnnl_error(dnnl_status_t status, const char *what) {
  return make_status(status == dnnl_unimplemented ? StatusCode::unsupported : StatusCode::internal,
                     "oneDNN %s failed (status %d)", what, static_cast<int>(status));
}

#define BALLAST_DNNL_CHECK(expr, what)                       \
  do {                                                        \
    const dnnl_status_t dnnl_status_ = (expr);                \
    if (dnnl_status_ != dnnl_success) return dnnl_error(dnnl_status_, what); \
  } while (false)

// Destroys what one call created, whatever path it leaves by.
struct CallObjects {
  dnnl_primitive_desc_t pd = nullptr;
  dnnl_primitive_t primitive = nullptr;
  dnnl_memory_t src = nullptr, weights = nullptr, dst = nullptr;
  ~CallObjects() {
    if (dst != nullptr) dnnl_memory_destroy(dst);
    if (weights != nullptr) dnnl_memory_destroy(weights);
    if (src != nullptr) dnnl_memory_destroy(src);
    if (primitive != nullptr) dnnl_primitive_destroy(primitive);
    if (pd != nullptr) dnnl_primitive_desc_destroy(pd);
  }
};

using OmpSetNumThreadsFn = void (*)(int);

OmpSetNumThreadsFn find_omp_set_num_threads() {
  return reinterpret_cast<OmpSetNumThreadsFn>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
}

class OnednnBackend final : public PrefillBackend {
 public:
  OnednnBackend(PrefillOperand operand, uint32_t callers) : operand_(operand), streams_(callers, nullptr) {}
  ~OnednnBackend() override {
    for (dnnl_stream_t stream : streams_) {
      if (stream != nullptr) dnnl_stream_destroy(stream);
    }
    if (engine_ != nullptr) dnnl_engine_destroy(engine_);
  }
  OnednnBackend(const OnednnBackend &) = delete;
  OnednnBackend &operator=(const OnednnBackend &) = delete;

  Status init() {
    set_threads_ = find_omp_set_num_threads();
    BALLAST_DNNL_CHECK(dnnl_engine_create(&engine_, dnnl_cpu, 0), "engine_create");
    for (dnnl_stream_t &stream : streams_) {
      BALLAST_DNNL_CHECK(dnnl_stream_create(&stream, engine_, dnnl_stream_default_flags), "stream_create");
    }
    return Status::ok();
  }

  PrefillBackendKind kind() const override { return PrefillBackendKind::onednn; }
  PrefillOperand operand() const override { return operand_; }
  uint32_t callers() const override { return static_cast<uint32_t>(streams_.size()); }

  Status matmul(const PrefillMatmul &m) override {
    if (m.worker >= streams_.size()) return make_status(StatusCode::internal, "oneDNN backend: worker %u of %zu", m.worker, streams_.size());
    // Before the primitive is created: oneDNN sizes its kernel for the
    // thread count it sees then.
    if (set_threads_ != nullptr) set_threads_(1);
    const dnnl_data_type_t type = operand_ == PrefillOperand::bf16 ? dnnl_bf16 : dnnl_f32;
    const dnnl_dims_t src_dims = {m.batch, m.cols}, src_strides = {m.cols, 1};
    const dnnl_dims_t w_dims = {m.cols, m.rows}, w_strides = {1, m.cols};
    const dnnl_dims_t dst_dims = {m.batch, m.rows}, dst_strides = {m.out_stride, 1};
    dnnl_memory_desc_t src_md, w_md, dst_md;
    BALLAST_DNNL_CHECK(dnnl_memory_desc_init_by_strides(&src_md, 2, src_dims, type, src_strides), "src desc");
    BALLAST_DNNL_CHECK(dnnl_memory_desc_init_by_strides(&w_md, 2, w_dims, type, w_strides), "weights desc");
    BALLAST_DNNL_CHECK(dnnl_memory_desc_init_by_strides(&dst_md, 2, dst_dims, dnnl_f32, dst_strides), "dst desc");
    dnnl_matmul_desc_t desc;
    BALLAST_DNNL_CHECK(dnnl_matmul_desc_init(&desc, &src_md, &w_md, nullptr, &dst_md), "matmul desc");
    CallObjects call;
    BALLAST_DNNL_CHECK(dnnl_primitive_desc_create(&call.pd, &desc, nullptr, engine_, nullptr), "matmul primitive desc");
    BALLAST_DNNL_CHECK(dnnl_primitive_create(&call.primitive, call.pd), "matmul primitive");
    BALLAST_DNNL_CHECK(dnnl_memory_create(&call.src, &src_md, engine_, const_cast<void *>(m.in)), "src memory");
    BALLAST_DNNL_CHECK(dnnl_memory_create(&call.weights, &w_md, engine_, const_cast<void *>(m.weights)), "weights memory");
    BALLAST_DNNL_CHECK(dnnl_memory_create(&call.dst, &dst_md, engine_, m.out), "dst memory");
    const dnnl_exec_arg_t args[] = {
        {DNNL_ARG_SRC, call.src}, {DNNL_ARG_WEIGHTS, call.weights}, {DNNL_ARG_DST, call.dst}};
    dnnl_stream_t stream = streams_[m.worker];
    BALLAST_DNNL_CHECK(dnnl_primitive_execute(call.primitive, stream, 3, args), "matmul execute");
    BALLAST_DNNL_CHECK(dnnl_stream_wait(stream), "stream wait");
    return Status::ok();
  }

 private:
  PrefillOperand operand_;
  std::vector<dnnl_stream_t> streams_;  // [callers], one per worker
  dnnl_engine_t engine_ = nullptr;
  OmpSetNumThreadsFn set_threads_ = nullptr;  // nullptr: oneDNN's own default (a build without OpenMP)
};

}  // namespace

Result<std::unique_ptr<PrefillBackend>> create_onednn_backend(PrefillOperand operand, uint32_t callers) {
  auto backend = std::make_unique<OnednnBackend>(operand, callers == 0 ? 1 : callers);
  BALLAST_RETURN_IF_ERROR(backend->init());
  return std::unique_ptr<PrefillBackend>(std::move(backend));
}

}  // namespace ballast
