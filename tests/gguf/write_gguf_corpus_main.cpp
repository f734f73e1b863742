// ballast_write_gguf_corpus DIR: writes the hostile GGUF corpus plus a few
// valid files (one per value and tensor type) into DIR, one file per case,
// to seed the fuzzer (tests/fuzz/run_gguf_fuzz.sh).
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

#include "models/gguf/gguf_writer.h"
#include "tests/gguf/hostile_gguf_corpus.h"

namespace {

bool write_file(const std::string &path, const std::vector<uint8_t> &bytes) {
  FILE *f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const bool written = bytes.empty() || std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  return std::fclose(f) == 0 && written;
}

// A valid file with every value type, array type and tensor type.
ballast::Result<std::vector<uint8_t>> every_type_file(uint32_t version, uint32_t alignment) {
  using namespace ballast;
  GgufWriter w(version, alignment);
  w.set_string("general.architecture", "llama");
  w.set_u8("t.u8", 1);
  w.set_i8("t.i8", -1);
  w.set_u16("t.u16", 2);
  w.set_i16("t.i16", -2);
  w.set_u32("t.u32", 3);
  w.set_i32("t.i32", -3);
  w.set_u64("t.u64", 4);
  w.set_i64("t.i64", -4);
  w.set_f32("t.f32", 0.5f);
  w.set_f64("t.f64", 0.25);
  w.set_bool("t.bool", true);
  w.set_string_array("t.strings", {"a", "bc", ""});
  w.set_f32_array("t.f32s", {1.0f, 2.0f});
  w.set_i32_array("t.i32s", {-1, 1});
  w.set_u32_array("t.u32s", {1, 2});
  for (uint32_t raw = 0; raw < 64; ++raw) {
    const TensorTypeInfo *info = tensor_type_info(raw);
    if (info == nullptr) continue;
    w.add_tensor(std::string("w.") + info->name, info->type, {info->block_elements, 2},
                 std::vector<uint8_t>(2 * info->block_bytes, static_cast<uint8_t>(raw)));
  }
  return w.to_bytes();
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    std::fprintf(stderr, "cannot create %s\n", dir.c_str());
    return 1;
  }
  size_t written = 0;
  for (const ballast::testing::HostileGgufCase &c : ballast::testing::make_hostile_gguf_corpus()) {
    if (!write_file(dir + "/" + c.name + ".gguf", c.bytes)) {
      std::fprintf(stderr, "cannot write %s/%s.gguf\n", dir.c_str(), c.name.c_str());
      return 1;
    }
    ++written;
  }
  const struct {
    const char *name;
    uint32_t version, alignment;
  } valid[] = {{"valid_every_type_v3", 3, 32}, {"valid_every_type_v2", 2, 32}, {"valid_every_type_align8", 3, 8}};
  for (const auto &v : valid) {
    ballast::Result<std::vector<uint8_t>> bytes = every_type_file(v.version, v.alignment);
    if (!bytes.is_ok() || !write_file(dir + "/" + v.name + ".gguf", bytes.value())) {
      std::fprintf(stderr, "cannot make %s: %s\n", v.name, bytes.status().to_string().c_str());
      return 1;
    }
    ++written;
  }
  for (uint32_t version : {2u, 3u}) {
    ballast::testing::BaseGgufOptions options;
    options.version = version;
    const std::string path = dir + "/valid_base_v" + std::to_string(version) + ".gguf";
    if (!write_file(path, ballast::testing::make_base_gguf(options).bytes())) return 1;
    ++written;
  }
  std::printf("wrote %zu GGUF files to %s\n", written, dir.c_str());
  return 0;
}
