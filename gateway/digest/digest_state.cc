#include "gateway/digest/digest_state.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "gateway/spool/durable_file.h"
#include "gateway/spool/queue_file.h"
#include "gateway/spool/record_format.h"

namespace portcullis::digest {

namespace {

constexpr std::string_view kMagic = "PORTCULLIS-DIGEST 1";

}  // namespace

spool::Result<std::optional<spool::TimePoint>> readLastUntil(const std::filesystem::path& dir) {
  using R = spool::Result<std::optional<spool::TimePoint>>;
  auto path = (dir / kStateFileName).string();
  if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) return R::success(std::nullopt);
  auto bytes = spool::readWholeFile(path);
  if (!bytes) return R::failure(bytes.error);
  auto content = spool::verifyChecksum(*bytes);
  if (!content) return R::failure(path + ": " + content.error);
  spool::RecordReader reader(*content);
  if (auto magic = reader.expectMagic(kMagic); !magic) return R::failure(path + ": " + magic.error);
  std::optional<spool::TimePoint> until;
  std::string key, value;
  while (reader.next(key, value)) {
    int64_t micros = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), micros);
    spool::TimePoint t{};
    if (key != "until" || error != std::errc() || end != value.data() + value.size() ||
        !spool::fromUnixMicros(micros, t)) {
      return R::failure(path + ": " + reader.errorAt("unexpected '" + key + "' field"));
    }
    until = t;
  }
  if (!reader.error().empty()) return R::failure(path + ": " + reader.error());
  if (!until) return R::failure(path + ": incomplete");
  return R::success(until);
}

spool::Status writeLastUntil(const std::filesystem::path& dir, spool::TimePoint until) {
  spool::RecordWriter writer(kMagic);
  writer.number("until", spool::toUnixMicros(until));
  std::string content = std::move(writer.text());
  std::string checksum = spool::checksumLine({content});
  return spool::replaceFileDurably(dir.string(), std::string(kStateFileName), {content, checksum});
}

spool::Result<DigestLock> DigestLock::acquire(const std::filesystem::path& dir) {
  using R = spool::Result<DigestLock>;
  auto path = (dir / kLockFileName).string();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return R::failure("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int saved = errno;
    ::close(fd);
    if (saved == EWOULDBLOCK) return R::failure("another digest run is in progress");
    return R::failure("cannot lock " + path + ": " + std::strerror(saved));
  }
  return R::success(DigestLock(fd));
}

DigestLock::~DigestLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace portcullis::digest
