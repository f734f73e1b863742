// CPU feature detection entry points, ISA levels and the BALLAST_ISA override
// (see cpu_features.h). The architecture-specific probing lives in
// cpu_features_{x86,arm,other}.cpp.
#include "platform/cpu_features.h"

#include <unistd.h>

#include <cpuinfo.h>

#include <cstdlib>
#include <cstring>

#include "platform/cpu_features_detect.h"

namespace ballast {
namespace {

struct NamedFlag {
  const char *name;
  bool CpuFeatures::*flag;
};

// Requirements per level, in the order they are reported.
constexpr NamedFlag kAvx2Needs[] = {
    {"avx2", &CpuFeatures::avx2}, {"fma", &CpuFeatures::fma}, {"f16c", &CpuFeatures::f16c}};
constexpr NamedFlag kAvx512Needs[] = {{"avx2", &CpuFeatures::avx2},       {"fma", &CpuFeatures::fma},
                                      {"f16c", &CpuFeatures::f16c},       {"avx512f", &CpuFeatures::avx512f},
                                      {"avx512bw", &CpuFeatures::avx512bw}, {"avx512vl", &CpuFeatures::avx512vl}};
constexpr NamedFlag kNeonNeeds[] = {{"neon", &CpuFeatures::neon}};
constexpr NamedFlag kDotprodNeeds[] = {{"neon", &CpuFeatures::neon}, {"dotprod", &CpuFeatures::dotprod}};
constexpr NamedFlag kI8mmNeeds[] = {
    {"neon", &CpuFeatures::neon}, {"dotprod", &CpuFeatures::dotprod}, {"i8mm", &CpuFeatures::i8mm}};

struct IsaLevelInfo {
  IsaLevel level;
  const char *name;
  const char *requirements;
  const NamedFlag *needs;
  size_t need_count;
};

constexpr IsaLevelInfo kIsaLevels[] = {
    {IsaLevel::scalar, "scalar", "nothing", nullptr, 0},
    {IsaLevel::avx2, "avx2", "avx2 fma f16c", kAvx2Needs, 3},
    {IsaLevel::avx512, "avx512", "avx2 fma f16c avx512f avx512bw avx512vl", kAvx512Needs, 6},
    {IsaLevel::neon, "neon", "neon", kNeonNeeds, 1},
    {IsaLevel::dotprod, "dotprod", "neon dotprod", kDotprodNeeds, 2},
    {IsaLevel::i8mm, "i8mm", "neon dotprod i8mm", kI8mmNeeds, 3},
};

const IsaLevelInfo &level_info(IsaLevel level) {
  for (const IsaLevelInfo &info : kIsaLevels) {
    if (info.level == level) return info;
  }
  return kIsaLevels[0];
}

// Reported by describe_cpu_isa(), in this order.
constexpr NamedFlag kX86Flags[] = {
    {"sse4.2", &CpuFeatures::sse4_2},         {"avx", &CpuFeatures::avx},
    {"avx2", &CpuFeatures::avx2},             {"fma", &CpuFeatures::fma},
    {"f16c", &CpuFeatures::f16c},             {"avx512f", &CpuFeatures::avx512f},
    {"avx512bw", &CpuFeatures::avx512bw},     {"avx512vl", &CpuFeatures::avx512vl},
    {"avx512dq", &CpuFeatures::avx512dq},     {"avx512vnni", &CpuFeatures::avx512vnni},
    {"avx512bf16", &CpuFeatures::avx512bf16}, {"avx512fp16", &CpuFeatures::avx512fp16},
    {"avx_vnni", &CpuFeatures::avx_vnni},     {"amx_tile", &CpuFeatures::amx_tile},
    {"amx_int8", &CpuFeatures::amx_int8},     {"amx_bf16", &CpuFeatures::amx_bf16},
};
constexpr NamedFlag kArmFlags[] = {
    {"neon", &CpuFeatures::neon}, {"fp16", &CpuFeatures::fp16_arith}, {"dotprod", &CpuFeatures::dotprod},
    {"i8mm", &CpuFeatures::i8mm}, {"bf16", &CpuFeatures::bf16},       {"sve", &CpuFeatures::sve},
    {"sve2", &CpuFeatures::sve2},
};

const char *vendor_name(cpuinfo_vendor vendor) {
  switch (vendor) {
    case cpuinfo_vendor_intel: return "Intel";
    case cpuinfo_vendor_amd: return "AMD";
    case cpuinfo_vendor_hygon: return "Hygon";
    case cpuinfo_vendor_via: return "VIA";
    case cpuinfo_vendor_arm: return "ARM";
    case cpuinfo_vendor_qualcomm: return "Qualcomm";
    case cpuinfo_vendor_apple: return "Apple";
    case cpuinfo_vendor_samsung: return "Samsung";
    case cpuinfo_vendor_nvidia: return "NVIDIA";
    case cpuinfo_vendor_broadcom: return "Broadcom";
    case cpuinfo_vendor_cavium: return "Cavium";
    case cpuinfo_vendor_huawei: return "Huawei";
    case cpuinfo_vendor_marvell: return "Marvell";
    default: return "unknown";
  }
}

uint32_t first_cache_size(uint32_t count, const cpuinfo_cache *first) {
  return (count > 0 && first != nullptr) ? first->size : 0;
}

void fill_topology_from_cpuinfo(CpuFeatures *features) {
  features->physical_cores = cpuinfo_get_cores_count();
  features->logical_processors = cpuinfo_get_processors_count();
  features->l1d_cache_bytes = first_cache_size(cpuinfo_get_l1d_caches_count(), cpuinfo_get_l1d_cache(0));
  features->l2_cache_bytes = first_cache_size(cpuinfo_get_l2_caches_count(), cpuinfo_get_l2_cache(0));
  features->l3_cache_bytes = first_cache_size(cpuinfo_get_l3_caches_count(), cpuinfo_get_l3_cache(0));
  const cpuinfo_core *core = cpuinfo_get_cores_count() > 0 ? cpuinfo_get_core(0) : nullptr;
  features->vendor = core != nullptr ? vendor_name(core->vendor) : "unknown";
  const cpuinfo_package *package = cpuinfo_get_packages_count() > 0 ? cpuinfo_get_package(0) : nullptr;
  if (package != nullptr) {
    features->model_name.assign(package->name, strnlen(package->name, sizeof(package->name)));
  }
  if (features->model_name.empty()) features->model_name = "unknown";
}

void fill_topology_from_sysconf(CpuFeatures *features) {
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  features->logical_processors = online > 0 ? static_cast<uint32_t>(online) : 1;
  features->physical_cores = features->logical_processors;  // unknown: assume no SMT
  features->vendor = "unknown";
  features->model_name = "unknown";
}

std::string format_cache(const char *label, uint32_t bytes) {
  std::string text = label;
  constexpr uint32_t kMiB = 1024u * 1024u;
  if (bytes >= kMiB && bytes % kMiB == 0) return text + " " + std::to_string(bytes / kMiB) + " MiB";
  return text + " " + std::to_string(bytes / 1024u) + " KiB";
}

std::string list_flags(const CpuFeatures &features, const NamedFlag *flags, size_t count) {
  std::string text;
  for (size_t i = 0; i < count; ++i) {
    if (!(features.*flags[i].flag)) continue;
    if (!text.empty()) text += ' ';
    text += flags[i].name;
  }
  return text.empty() ? "none" : text;
}

}  // namespace

const char *cpu_architecture_name(CpuArchitecture arch) {
  switch (arch) {
    case CpuArchitecture::x86_64: return "x86_64";
    case CpuArchitecture::x86: return "x86";
    case CpuArchitecture::aarch64: return "aarch64";
    case CpuArchitecture::arm: return "arm";
    case CpuArchitecture::other: return "other";
  }
  return "other";
}

CpuFeatures detect_cpu_features() {
  CpuFeatures features;
  features.cpuinfo_available = cpuinfo_initialize();
  if (features.cpuinfo_available) {
    fill_topology_from_cpuinfo(&features);
  } else {
    fill_topology_from_sysconf(&features);
  }
  detect_architecture_features(&features);
  return features;
}

const CpuFeatures &host_cpu_features() {
  static const CpuFeatures features = detect_cpu_features();
  return features;
}

const char *isa_level_name(IsaLevel level) { return level_info(level).name; }

const char *isa_level_requirements(IsaLevel level) { return level_info(level).requirements; }

bool cpu_supports_isa_level(const CpuFeatures &features, IsaLevel level) {
  const IsaLevelInfo &info = level_info(level);
  for (size_t i = 0; i < info.need_count; ++i) {
    if (!(features.*info.needs[i].flag)) return false;
  }
  return true;
}

IsaLevel best_isa_level(const CpuFeatures &features) {
  constexpr IsaLevel kBestFirst[] = {IsaLevel::i8mm, IsaLevel::dotprod, IsaLevel::neon, IsaLevel::avx512,
                                     IsaLevel::avx2};
  for (IsaLevel level : kBestFirst) {
    if (cpu_supports_isa_level(features, level)) return level;
  }
  return IsaLevel::scalar;
}

Result<IsaLevel> parse_isa_level_name(const std::string &name) {
  for (const IsaLevelInfo &info : kIsaLevels) {
    if (name == info.name) return info.level;
  }
  return make_status(StatusCode::invalid_argument,
                     "unknown ISA level '%s'; valid: scalar, avx2, avx512, neon, dotprod, i8mm", name.c_str());
}

Result<IsaLevel> resolve_isa_level(const char *override_name, const CpuFeatures &features) {
  if (override_name == nullptr || override_name[0] == '\0') return best_isa_level(features);
  Result<IsaLevel> parsed = parse_isa_level_name(override_name);
  if (!parsed.is_ok()) {
    return make_status(parsed.status().code(), "BALLAST_ISA: %s", parsed.status().message().c_str());
  }
  const IsaLevel level = parsed.value();
  if (cpu_supports_isa_level(features, level)) return level;

  const IsaLevelInfo &info = level_info(level);
  std::string missing;
  for (size_t i = 0; i < info.need_count; ++i) {
    if (features.*info.needs[i].flag) continue;
    if (!missing.empty()) missing += ' ';
    missing += info.needs[i].name;
  }
  return make_status(StatusCode::unsupported,
                     "BALLAST_ISA=%s forces ISA level '%s', which needs [%s], but this %s CPU lacks [%s]; "
                     "its best level is '%s'",
                     override_name, info.name, info.requirements, cpu_architecture_name(features.architecture),
                     missing.c_str(), isa_level_name(best_isa_level(features)));
}

Result<IsaLevel> host_isa_level() { return resolve_isa_level(std::getenv("BALLAST_ISA"), host_cpu_features()); }

std::string describe_cpu_isa(const CpuFeatures &features) {
  std::string text = cpu_architecture_name(features.architecture);
  text += ": ";
  switch (features.architecture) {
    case CpuArchitecture::x86_64:
    case CpuArchitecture::x86:
      text += list_flags(features, kX86Flags, sizeof(kX86Flags) / sizeof(kX86Flags[0]));
      if (!features.amx_tile) text += " (no amx)";
      break;
    case CpuArchitecture::aarch64:
    case CpuArchitecture::arm:
      text += list_flags(features, kArmFlags, sizeof(kArmFlags) / sizeof(kArmFlags[0]));
      if (!features.i8mm) text += " (no i8mm)";
      break;
    case CpuArchitecture::other:
      text += "no SIMD kernels (scalar only)";
      break;
  }
  return text;
}

std::string describe_cpu_topology(const CpuFeatures &features) {
  std::string text = features.model_name + " (" + features.vendor + "), " +
                     std::to_string(features.physical_cores) + " cores / " +
                     std::to_string(features.logical_processors) + " threads";
  if (features.l1d_cache_bytes != 0) text += ", " + format_cache("L1d", features.l1d_cache_bytes);
  if (features.l2_cache_bytes != 0) text += ", " + format_cache("L2", features.l2_cache_bytes);
  if (features.l3_cache_bytes != 0) text += ", " + format_cache("L3", features.l3_cache_bytes);
  if (!features.cpuinfo_available) text += " (cpuinfo unavailable)";
  return text;
}

}  // namespace ballast
