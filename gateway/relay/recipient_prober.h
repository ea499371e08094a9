// Recipient verification by asking the internal MTA (Postfix's "address verification" idea): a
// session with MAIL FROM:<> and RCPT TO:<address>, then RSET. 2xx means the mailbox exists, 5xx
// that it does not; anything else (4xx, no answer) is "unknown" and is not cached. Answers are
// cached with separate positive and negative lifetimes, bounded in size.
#pragma once

#include <chrono>
#include <list>
#include <mutex>
#include <unordered_map>

#include "gateway/smtp/client.h"
#include "gateway/smtp/recipient_policy.h"

namespace portcullis::relay {

struct ProbeSettings {
  smtp::ClientSettings client;
  std::chrono::milliseconds positive_ttl{3'600'000};
  std::chrono::milliseconds negative_ttl{300'000};
  size_t max_entries = 100'000;
};

class RecipientProber : public smtp::RecipientVerifier {
 public:
  RecipientProber(ProbeSettings settings, std::shared_ptr<asio::ssl::context> tls);
  awaitable<std::optional<bool>> exists(const std::string& address) override;

 private:
  struct Entry {
    bool exists;
    std::chrono::steady_clock::time_point expires;
    std::list<std::string>::iterator age;
  };
  std::optional<bool> cached(const std::string& key);
  void remember(const std::string& key, bool exists);

  ProbeSettings settings_;
  std::shared_ptr<asio::ssl::context> tls_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> cache_;
  std::list<std::string> order_;  // oldest first, for eviction
};

}  // namespace portcullis::relay
