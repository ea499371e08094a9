// The console's sessions, in memory (a gateway restart logs everyone out). A session belongs to an
// administrator (user) or to the recipient of a signed link (recipient), never both; it carries
// the CSRF token every form of that session must send back, and ends at its expiry or at logout.
// The session id is the cookie's value: 256 random bits, compared in constant time by lookup.
// Thread safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/spool/queue_entry.h"

namespace portcullis::web {

struct Session {
  std::string user;       // an administrator's name, or empty
  std::string recipient;  // the signed link's address (lower case), or empty
  std::string csrf;       // the token its forms carry
  spool::TimePoint expires;
  bool admin() const { return !user.empty(); }
};

class SessionStore {
 public:
  // Sessions above this many are refused until older ones expire (a flood of logins or link
  // visits cannot exhaust memory).
  static constexpr size_t kMaxSessions = 10'000;

  // Returns the new session's id, or nullopt when the store is full.
  std::optional<std::string> create(Session session, spool::TimePoint now = spool::Clock::now());
  std::optional<Session> find(std::string_view id, spool::TimePoint now = spool::Clock::now());
  void remove(std::string_view id);

 private:
  void dropExpired(spool::TimePoint now);

  std::mutex mutex_;
  std::map<std::string, Session, std::less<>> sessions_;
};

// True when `submitted` is the session's CSRF token (constant time).
bool csrfValid(const Session& session, std::string_view submitted);

}  // namespace portcullis::web
