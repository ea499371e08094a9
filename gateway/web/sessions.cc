#include "gateway/web/sessions.h"

#include "gateway/web/secrets.h"

namespace portcullis::web {

std::optional<std::string> SessionStore::create(Session session, spool::TimePoint now) {
  std::lock_guard lock(mutex_);
  dropExpired(now);
  if (sessions_.size() >= kMaxSessions) return std::nullopt;
  std::string id = randomToken();
  session.csrf = randomToken();
  sessions_.emplace(id, std::move(session));
  return id;
}

std::optional<Session> SessionStore::find(std::string_view id, spool::TimePoint now) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.expires <= now) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void SessionStore::remove(std::string_view id) {
  std::lock_guard lock(mutex_);
  if (auto it = sessions_.find(id); it != sessions_.end()) sessions_.erase(it);
}

void SessionStore::dropExpired(spool::TimePoint now) {
  std::erase_if(sessions_, [now](const auto& item) { return item.second.expires <= now; });
}

bool csrfValid(const Session& session, std::string_view submitted) {
  return !session.csrf.empty() && constantTimeEquals(session.csrf, submitted);
}

}  // namespace portcullis::web
