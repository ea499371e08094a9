// A parsed DKIM public key record (the TXT record at <s>._domainkey.<d>, RFC 6376 §3.6.1,
// RFC 8463 for k=ed25519). Parsing is pure; a record that cannot be used carries the reason.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace portcullis::dkim {

struct KeyRecord {
  std::string key_type = "rsa";     // k=, lowercased
  std::vector<std::string> hashes;  // h=, lowercased; empty means every hash is acceptable
  std::string public_key;           // p=, decoded; empty means the key was revoked
  bool testing = false;             // t=y
  bool strict = false;              // t=s: i= must use exactly the d= domain
  std::string error;                // empty when the record is usable
  bool ok() const { return error.empty(); }
  bool revoked() const { return ok() && public_key.empty(); }
};

KeyRecord parseKeyRecord(std::string_view text);

}  // namespace portcullis::dkim
