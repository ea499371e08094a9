#include "gateway/dns/answer_cache.h"

#include <algorithm>

namespace portcullis::dns {

using std::chrono::seconds;

std::string AnswerCache::key(const std::string& name, RrType type) {
  std::string k(toString(type));
  k += ' ';
  k += name;
  return k;
}

std::optional<Answer> AnswerCache::find(const std::string& name, RrType type,
                                        Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key(name, type));
  if (it == entries_.end()) return std::nullopt;
  if (it->second.expires <= now) {
    entries_.erase(it);
    return std::nullopt;
  }
  Answer answer = it->second.answer;
  answer.ttl =
      static_cast<uint32_t>(std::chrono::duration_cast<seconds>(it->second.expires - now).count());
  return answer;
}

void AnswerCache::store(const std::string& name, RrType type, const Answer& answer,
                        Clock::time_point now) {
  if (policy_.max_entries == 0) return;
  seconds ttl;
  switch (answer.status) {
    case Status::Ok:
      ttl = std::clamp(seconds(answer.ttl), policy_.min_ttl, policy_.max_ttl);
      break;
    case Status::NoData:
    case Status::NxDomain:
      // Without an SOA in the answer there is no negative TTL (0): the configured one applies.
      ttl = answer.ttl == 0 ? policy_.negative_ttl
                            : std::min(seconds(answer.ttl), policy_.negative_ttl);
      break;
    default:
      return;
  }
  if (ttl.count() <= 0) return;
  std::lock_guard lock(mutex_);
  if (entries_.size() >= policy_.max_entries) evict(now);
  entries_[key(name, type)] = Entry{answer, now + ttl};
}

size_t AnswerCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

// Drops expired entries; if none had expired, drops an arbitrary tenth to make room in one sweep.
void AnswerCache::evict(Clock::time_point now) {
  std::erase_if(entries_, [now](const auto& item) { return item.second.expires <= now; });
  if (entries_.size() < policy_.max_entries) return;
  size_t drop = std::max<size_t>(1, entries_.size() / 10);
  for (auto it = entries_.begin(); it != entries_.end() && drop > 0; --drop)
    it = entries_.erase(it);
}

}  // namespace portcullis::dns
