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
#include "gateway/spool/state_file.h"

namespace portcullis::digest {

namespace {

constexpr std::string_view kMagic = "PORTCULLIS-DIGEST 1";

}  // namespace

Result<std::optional<spool::TimePoint>> readLastUntil(const std::filesystem::path& dir) {
  using R = Result<std::optional<spool::TimePoint>>;
  auto path = (dir / kStateFileName).string();
  std::optional<spool::TimePoint> until;
  auto read = spool::readStateFile(path, kMagic, [&until](const auto& key, const auto& value) {
    int64_t micros = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), micros);
    spool::TimePoint t{};
    if (key != "until" || error != std::errc() || end != value.data() + value.size() ||
        !spool::fromUnixMicros(micros, t)) {
      return false;
    }
    until = t;
    return true;
  });
  if (!read) return R::failure(read.error);
  if (!*read) return R::success(std::nullopt);
  if (!until) return R::failure(path + ": incomplete");
  return R::success(until);
}

Status writeLastUntil(const std::filesystem::path& dir, spool::TimePoint until) {
  return spool::writeStateFile(
      dir.string(), std::string(kStateFileName), kMagic,
      [until](spool::RecordWriter& writer) { writer.number("until", spool::toUnixMicros(until)); });
}

Result<DigestLock> DigestLock::acquire(const std::filesystem::path& dir) {
  using R = Result<DigestLock>;
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
