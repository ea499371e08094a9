// The audit log of the quarantine: one line per action a person took on it (who, what, when, on
// which message, and the outcome), appended to <quarantine dir>/audit.log unless configured
// elsewhere. Written by the web console; meant for every tool that releases or deletes.
//
//   2026-12-07T02:05:00Z actor="web:admin" client="127.0.0.1" action="release" id="ABC"
//       result="ok" detail="queued as DEF"
//
// (one line). Every value is quoted with control characters, quotes and backslashes escaped, so a
// hostile value cannot forge a line. Each line is one write() to a file opened with O_APPEND, so
// lines from several processes never interleave. Thread safe.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "gateway/spool/queue_entry.h"
#include "gateway/spool/result.h"

namespace portcullis::quarantine {

inline constexpr const char* kAuditLogName = "audit.log";

struct AuditRecord {
  std::string actor;   // "web:admin", "link:bob@example.org", "cli:root"
  std::string client;  // the client's address, empty for local tools
  std::string action;  // "login", "login-failed", "release", "release-learn", "delete", ...
  std::string id;      // the quarantine id, empty when the action has none
  bool ok = true;
  std::string detail;  // the outcome or the error
};

// The line for `record` at `when`, with its newline.
std::string auditLine(const AuditRecord& record, spool::TimePoint when);

class AuditLog {
 public:
  explicit AuditLog(std::filesystem::path file) : file_(std::move(file)) {}
  // Appends one line (the file is created with mode 0640 when missing).
  spool::Status append(const AuditRecord& record, spool::TimePoint when = spool::Clock::now());
  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
};

}  // namespace portcullis::quarantine
