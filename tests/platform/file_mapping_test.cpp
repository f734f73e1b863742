// Read-only file mapping: contents, move semantics, and every error path.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "platform/file_mapping.h"

using namespace ballast;

namespace {

// A fresh directory under /tmp, removed (with the files the test names) at scope end.
class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/ballast_mapping_test_XXXXXX";
    const char *made = mkdtemp(pattern);
    path_ = made != nullptr ? made : "";
  }
  ~TempDir() {
    for (const std::string &file : files_) {
      std::remove(file.c_str());
      rmdir(file.c_str());
    }
    rmdir(path_.c_str());
  }
  std::string file(const std::string &name) {
    files_.push_back(path_ + "/" + name);
    return files_.back();
  }
  const std::string &path() const { return path_; }

 private:
  std::string path_;
  std::vector<std::string> files_;
};

bool write_file(const std::string &path, const std::vector<uint8_t> &bytes) {
  FILE *file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return false;
  const size_t written = bytes.empty() ? 0 : std::fwrite(bytes.data(), 1, bytes.size(), file);
  return std::fclose(file) == 0 && written == bytes.size();
}

// 3 pages + 17 bytes of a position-dependent pattern.
std::vector<uint8_t> pattern_bytes() {
  std::vector<uint8_t> bytes(3 * 4096 + 17);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>((i * 131u + 7u) ^ (i >> 8));
  return bytes;
}

}  // namespace

TEST_CASE("FileMapping maps a whole file read-only with its exact contents") {
  TempDir dir;
  REQUIRE_FALSE(dir.path().empty());
  const std::string path = dir.file("weights.bin");
  const std::vector<uint8_t> expected = pattern_bytes();
  REQUIRE(write_file(path, expected));

  Result<FileMapping> mapping = FileMapping::open(path);
  REQUIRE_MESSAGE(mapping.is_ok(), mapping.status().to_string());
  CHECK(mapping->is_open());
  CHECK(mapping->size() == expected.size());
  CHECK(mapping->path() == path);
  CHECK(reinterpret_cast<uintptr_t>(mapping->data()) % 4096 == 0);
  CHECK(std::memcmp(mapping->data(), expected.data(), expected.size()) == 0);
  CHECK(mapping->data()[expected.size() - 1] == expected.back());

  for (MappingAdvice advice :
       {MappingAdvice::willneed, MappingAdvice::random, MappingAdvice::sequential, MappingAdvice::normal}) {
    Status advised = mapping->advise(advice);
    CHECK_MESSAGE(advised.is_ok(), mapping_advice_name(advice), ": ", advised.to_string());
  }
  // Still intact after the hints.
  CHECK(std::memcmp(mapping->data(), expected.data(), expected.size()) == 0);
}

TEST_CASE("FileMapping is move-only and releases exactly once") {
  TempDir dir;
  const std::string path = dir.file("a.bin");
  const std::vector<uint8_t> expected = pattern_bytes();
  REQUIRE(write_file(path, expected));

  Result<FileMapping> opened = FileMapping::open(path);
  REQUIRE(opened.is_ok());
  FileMapping first = std::move(opened).value();
  const uint8_t *address = first.data();

  FileMapping second(std::move(first));
  CHECK_FALSE(first.is_open());  // NOLINT: checking the moved-from state is the point
  CHECK(first.data() == nullptr);
  CHECK(first.size() == 0);
  CHECK(second.data() == address);
  CHECK(std::memcmp(second.data(), expected.data(), expected.size()) == 0);

  FileMapping third;
  CHECK_FALSE(third.is_open());
  CHECK_FALSE(third.advise(MappingAdvice::random).is_ok());
  third = std::move(second);
  CHECK(third.data() == address);
  CHECK(third.size() == expected.size());
  CHECK_FALSE(second.is_open());  // NOLINT

  // The file may be deleted while mapped: the mapping keeps the data.
  REQUIRE(std::remove(path.c_str()) == 0);
  CHECK(std::memcmp(third.data(), expected.data(), expected.size()) == 0);
}

TEST_CASE("FileMapping errors: missing file, directory, empty file, FIFO") {
  TempDir dir;

  SUBCASE("missing") {
    const std::string path = dir.path() + "/does_not_exist.gguf";
    Result<FileMapping> mapping = FileMapping::open(path);
    REQUIRE_FALSE(mapping.is_ok());
    CHECK(mapping.status().code() == StatusCode::io_error);
    CHECK(mapping.status().message().find(path) != std::string::npos);
    CHECK(mapping.status().message().find("No such file") != std::string::npos);
  }
  SUBCASE("path through a regular file") {
    const std::string file = dir.file("plain");
    REQUIRE(write_file(file, {1, 2, 3}));
    Result<FileMapping> mapping = FileMapping::open(file + "/child");
    REQUIRE_FALSE(mapping.is_ok());
    CHECK(mapping.status().code() == StatusCode::io_error);
    CHECK(mapping.status().message().find("Not a directory") != std::string::npos);
  }
  SUBCASE("directory") {
    Result<FileMapping> mapping = FileMapping::open(dir.path());
    REQUIRE_FALSE(mapping.is_ok());
    CHECK(mapping.status().code() == StatusCode::invalid_argument);
    CHECK(mapping.status().message().find("is a directory") != std::string::npos);
  }
  SUBCASE("empty file") {
    const std::string path = dir.file("empty.gguf");
    REQUIRE(write_file(path, {}));
    Result<FileMapping> mapping = FileMapping::open(path);
    REQUIRE_FALSE(mapping.is_ok());
    CHECK(mapping.status().code() == StatusCode::invalid_argument);
    CHECK(mapping.status().message().find("empty (0 bytes)") != std::string::npos);
  }
  SUBCASE("FIFO is refused without blocking") {
    const std::string path = dir.file("pipe");
    REQUIRE(mkfifo(path.c_str(), 0600) == 0);
    Result<FileMapping> mapping = FileMapping::open(path);
    REQUIRE_FALSE(mapping.is_ok());
    CHECK(mapping.status().code() == StatusCode::invalid_argument);
    CHECK(mapping.status().message().find("not a regular file") != std::string::npos);
  }
}

TEST_CASE("FileMapping error: permission denied") {
  TempDir dir;
  const std::string path = dir.file("secret.bin");
  REQUIRE(write_file(path, {9, 9, 9, 9}));
  REQUIRE(chmod(path.c_str(), 0) == 0);
  REQUIRE(chmod(dir.path().c_str(), 0755) == 0);

  // Root bypasses file permissions, so as root the check runs in a child that
  // has switched to the unprivileged "nobody" user (uid 65534).
  const bool as_root = geteuid() == 0;
  const pid_t child = as_root ? fork() : 0;
  REQUIRE(child >= 0);
  if (child == 0) {
    if (as_root && setuid(65534) != 0) _exit(10);
    Result<FileMapping> mapping = FileMapping::open(path);
    int failures = 0;
    if (mapping.is_ok()) failures |= 1;
    if (!mapping.is_ok() && mapping.status().code() != StatusCode::io_error) failures |= 2;
    if (!mapping.is_ok() && mapping.status().message().find("Permission denied") == std::string::npos) failures |= 4;
    if (!as_root) {
      CHECK(failures == 0);
      return;
    }
    _exit(failures);
  }
  int wait_status = 0;
  REQUIRE(waitpid(child, &wait_status, 0) == child);
  REQUIRE(WIFEXITED(wait_status));
  CHECK(WEXITSTATUS(wait_status) == 0);  // 1: opened anyway, 2: wrong code, 4: no errno text, 10: setuid failed
}
