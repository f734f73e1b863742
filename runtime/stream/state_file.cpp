#include "runtime/stream/state_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ballast {
namespace {

constexpr uint64_t kFnvPrime = 0x100000001b3ull;

Status write_all(int fd, const uint8_t *data, uint64_t n, const char *path) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return make_status(StatusCode::io_error, "writing %s: %s", path, std::strerror(errno));
    }
    data += w;
    n -= static_cast<uint64_t>(w);
  }
  return Status::ok();
}

uint64_t header_checksum(const StateFileHeader &h) {
  return fnv1a64(&h, offsetof(StateFileHeader, header_checksum));
}

}  // namespace

uint64_t fnv1a64(const void *data, size_t n, uint64_t hash) {
  const auto *p = static_cast<const uint8_t *>(data);
  for (size_t i = 0; i < n; ++i) {
    hash ^= p[i];
    hash *= kFnvPrime;
  }
  return hash;
}

uint64_t model_bytes_hash(const uint8_t *data, size_t n) {
  uint64_t hash = kFnvOffset ^ n;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, data + i, 8);
    hash ^= word;
    hash *= kFnvPrime;
    hash ^= hash >> 29;
  }
  return fnv1a64(data + i, n - i, hash);
}

Status write_state_file(const char *path, const char *tmp_path, const char *dir_path, uint64_t model_hash,
                        uint64_t config_hash, const uint8_t *payload, uint64_t payload_bytes) {
  StateFileHeader h;
  std::memset(&h, 0, sizeof(h));
  std::memcpy(h.magic, kStateFileMagic, sizeof(h.magic));
  h.version = kStateFileVersion;
  h.header_bytes = sizeof(StateFileHeader);
  h.payload_bytes = payload_bytes;
  h.model_hash = model_hash;
  h.config_hash = config_hash;
  h.payload_checksum = fnv1a64(payload, payload_bytes);
  h.header_checksum = header_checksum(h);

  const int fd = ::open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return make_status(StatusCode::io_error, "cannot create %s: %s", tmp_path, std::strerror(errno));
  Status st = write_all(fd, reinterpret_cast<const uint8_t *>(&h), sizeof(h), tmp_path);
  if (st.is_ok()) st = write_all(fd, payload, payload_bytes, tmp_path);
  if (st.is_ok() && ::fsync(fd) != 0) {
    st = make_status(StatusCode::io_error, "fsync %s: %s", tmp_path, std::strerror(errno));
  }
  if (::close(fd) != 0 && st.is_ok()) {
    st = make_status(StatusCode::io_error, "closing %s: %s", tmp_path, std::strerror(errno));
  }
  if (!st.is_ok()) {
    ::unlink(tmp_path);
    return st;
  }
  if (::rename(tmp_path, path) != 0) {
    const int err = errno;
    ::unlink(tmp_path);
    return make_status(StatusCode::io_error, "renaming %s to %s: %s", tmp_path, path, std::strerror(err));
  }
  const int dir = ::open(dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {  // the rename is durable once the directory is
    ::fsync(dir);
    ::close(dir);
  }
  return Status::ok();
}

Result<uint64_t> read_state_file(const char *path, uint64_t model_hash, uint64_t config_hash, uint8_t *buffer,
                                 uint64_t capacity) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return make_status(StatusCode::io_error, "no state file %s", path);
    return make_status(StatusCode::io_error, "cannot open state file %s: %s", path, std::strerror(errno));
  }
  struct stat info;
  if (::fstat(fd, &info) != 0) {
    ::close(fd);
    return make_status(StatusCode::io_error, "cannot stat state file %s: %s", path, std::strerror(errno));
  }
  const uint64_t file_bytes = static_cast<uint64_t>(info.st_size);
  StateFileHeader h;
  Status st;
  if (file_bytes < sizeof(h)) {
    st = make_status(StatusCode::corrupt_file, "state file %s is truncated: %llu bytes, the header alone is %zu",
                     path, static_cast<unsigned long long>(file_bytes), sizeof(h));
  } else if (::pread(fd, &h, sizeof(h), 0) != static_cast<ssize_t>(sizeof(h))) {
    st = make_status(StatusCode::io_error, "reading state file %s failed", path);
  } else if (std::memcmp(h.magic, kStateFileMagic, sizeof(h.magic)) != 0) {
    st = make_status(StatusCode::corrupt_file, "%s is not a Ballast stream state file (bad magic)", path);
  } else if (h.header_checksum != header_checksum(h)) {
    st = make_status(StatusCode::corrupt_file, "state file %s: header checksum mismatch (corrupted)", path);
  } else if (h.version != kStateFileVersion) {
    st = make_status(StatusCode::unsupported, "state file %s has format version %u, this build reads version %u",
                     path, h.version, kStateFileVersion);
  } else if (h.header_bytes != sizeof(h)) {
    st = make_status(StatusCode::corrupt_file, "state file %s: header size %u, expected %zu", path, h.header_bytes,
                     sizeof(h));
  } else if (h.model_hash != model_hash) {
    st = make_status(StatusCode::invalid_argument,
                     "state file %s was written for another model (model hash %016llx, this model %016llx)", path,
                     static_cast<unsigned long long>(h.model_hash), static_cast<unsigned long long>(model_hash));
  } else if (h.config_hash != config_hash) {
    st = make_status(StatusCode::invalid_argument,
                     "state file %s was written with other stream settings (cache shape, summary or sampling "
                     "options; config hash %016llx, now %016llx)",
                     path, static_cast<unsigned long long>(h.config_hash),
                     static_cast<unsigned long long>(config_hash));
  } else if (h.payload_bytes != file_bytes - sizeof(h)) {
    st = make_status(StatusCode::corrupt_file, "state file %s is truncated or padded: payload %llu bytes, file has %llu",
                     path, static_cast<unsigned long long>(h.payload_bytes),
                     static_cast<unsigned long long>(file_bytes - sizeof(h)));
  } else if (h.payload_bytes > capacity) {
    st = make_status(StatusCode::corrupt_file, "state file %s payload is %llu bytes, this stream's state is %llu",
                     path, static_cast<unsigned long long>(h.payload_bytes),
                     static_cast<unsigned long long>(capacity));
  } else {
    uint64_t done = 0;
    while (done < h.payload_bytes) {
      const ssize_t got = ::pread(fd, buffer + done, h.payload_bytes - done, static_cast<off_t>(sizeof(h) + done));
      if (got <= 0) {
        if (got < 0 && errno == EINTR) continue;
        break;
      }
      done += static_cast<uint64_t>(got);
    }
    if (done != h.payload_bytes) {
      st = make_status(StatusCode::io_error, "reading state file %s failed", path);
    } else if (fnv1a64(buffer, h.payload_bytes) != h.payload_checksum) {
      st = make_status(StatusCode::corrupt_file, "state file %s: payload checksum mismatch (corrupted)", path);
    }
  }
  ::close(fd);
  if (!st.is_ok()) return st;
  return h.payload_bytes;
}

}  // namespace ballast
