// The recipient's link to their own quarantined mail, as a daily digest sends it: the recipient's
// address and an expiry time, signed with HMAC-SHA-256 under a key only the gateway holds
// (<quarantine dir>/web-link.key, 32 random bytes, mode 0600, made at first use). Whoever holds a
// valid link sees and acts on that recipient's messages until the expiry; a changed address,
// expiry or signature is refused.
//
//   https://gateway.example.org:8443/r?rcpt=bob%40example.org&exp=1796000000&sig=BASE64URL
//
// The digest makes its links with:
//   RecipientLinks links(*loadOrCreateLinkKey(web.link_key_file));
//   links.url(consoleBaseUrl(web), recipient, now + web.link_lifetime);
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "gateway/spool/queue_entry.h"
#include "gateway/spool/result.h"

namespace portcullis::web {

enum class LinkCheck { Valid, BadSignature, Expired, Malformed };

class RecipientLinks {
 public:
  static constexpr size_t kKeyBytes = 32;
  // `key` must hold kKeyBytes bytes.
  explicit RecipientLinks(std::string key) : key_(std::move(key)) {}

  // The query string "rcpt=...&exp=...&sig=..." valid until `expires`.
  std::string query(std::string_view recipient, spool::TimePoint expires) const;
  // `base` (e.g. [web] public_url) + "/r?" + query(): what the digest puts in its message.
  std::string url(std::string_view base, std::string_view recipient,
                  spool::TimePoint expires) const;
  // Checks the three query values of a link.
  LinkCheck check(std::string_view recipient, std::string_view expires, std::string_view signature,
                  spool::TimePoint now = spool::Clock::now()) const;

  // The address a link is valid for, as signed (lower case).
  static std::string normalized(std::string_view recipient);

 private:
  std::string signature(std::string_view recipient, int64_t expires) const;
  std::string key_;
};

// Reads the key file, or creates it with fresh random bytes (mode 0600) when it does not exist.
spool::Result<std::string> loadOrCreateLinkKey(const std::filesystem::path& file);

}  // namespace portcullis::web
