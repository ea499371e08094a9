#include "gateway/quarantine/audit_log.h"

#include <fcntl.h>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace portcullis::quarantine {

namespace {

// An audit value grows at most to this many bytes before it is cut (a hostile 1 MB subject or
// address must not flood the log).
constexpr size_t kMaxValueBytes = 512;

std::string auditValue(std::string_view value) {
  std::string out = "\"";
  size_t n = std::min(value.size(), kMaxValueBytes);
  for (size_t i = 0; i < n; ++i) {
    auto c = static_cast<unsigned char>(value[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (n < value.size()) out += "...";
  return out + "\"";
}

}  // namespace

std::string auditLine(const AuditRecord& r, spool::TimePoint when) {
  return fmt::format(
      "{:%Y-%m-%dT%H:%M:%SZ} actor={} client={} action={} id={} result={} detail={}\n",
      std::chrono::floor<std::chrono::seconds>(when), auditValue(r.actor), auditValue(r.client),
      auditValue(r.action), auditValue(r.id), r.ok ? "ok" : "failed", auditValue(r.detail));
}

spool::Status AuditLog::append(const AuditRecord& record, spool::TimePoint when) {
  std::string line = auditLine(record, when);
  int fd = ::open(file_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) {
    return spool::Status::failure("audit log " + file_.string() + ": " + std::strerror(errno));
  }
  ssize_t written = ::write(fd, line.data(), line.size());
  int error = errno;
  ::close(fd);
  if (written != static_cast<ssize_t>(line.size())) {
    return spool::Status::failure("audit log " + file_.string() + ": " +
                                  (written < 0 ? std::strerror(error) : "short write"));
  }
  return spool::Status::success();
}

}  // namespace portcullis::quarantine
