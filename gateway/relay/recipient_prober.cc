#include "gateway/relay/recipient_prober.h"

#include "gateway/base/text.h"

namespace portcullis::relay {

RecipientProber::RecipientProber(ProbeSettings settings, std::shared_ptr<asio::ssl::context> tls)
    : settings_(std::move(settings)), tls_(std::move(tls)) {}

std::optional<bool> RecipientProber::cached(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = cache_.find(key);
  if (it == cache_.end()) return std::nullopt;
  if (it->second.expires <= std::chrono::steady_clock::now()) {
    order_.erase(it->second.age);
    cache_.erase(it);
    return std::nullopt;
  }
  return it->second.exists;
}

void RecipientProber::remember(const std::string& key, bool exists) {
  std::lock_guard lock(mutex_);
  auto ttl = exists ? settings_.positive_ttl : settings_.negative_ttl;
  auto it = cache_.find(key);
  if (it != cache_.end()) {
    order_.erase(it->second.age);
    cache_.erase(it);
  }
  while (cache_.size() >= settings_.max_entries && !order_.empty()) {
    cache_.erase(order_.front());
    order_.pop_front();
  }
  order_.push_back(key);
  cache_[key] = Entry{exists, std::chrono::steady_clock::now() + ttl, std::prev(order_.end())};
}

awaitable<std::optional<bool>> RecipientProber::exists(const std::string& address) {
  std::string key = toLower(address);
  if (auto known = cached(key)) co_return known;
  smtp::Client client(settings_.client, *tls_);
  smtp::Reply hello = co_await client.connect();
  if (hello.code != 250) co_return std::nullopt;
  Envelope probe;  // null sender: the probe must never cause a bounce
  smtp::Reply mail = co_await client.mail(probe);
  std::optional<bool> answer;
  if (mail.positive()) {
    Recipient recipient{address, "", ""};
    smtp::Reply rcpt = co_await client.rcpt(recipient);
    if (rcpt.positive())
      answer = true;
    else if (rcpt.permanent())
      answer = false;
  }
  co_await client.quit();
  if (answer) remember(key, *answer);
  co_return answer;
}

}  // namespace portcullis::relay
