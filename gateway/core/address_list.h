// A list of mail addresses and domains for the policy's sender and recipient allow and deny lists.
// Entries: "user@example.org" (that address), "example.org" (any address at that domain) and
// ".example.org" (any address at a subdomain of example.org, not at example.org itself). Matching
// ignores ASCII case, the local part's too. The null sender (an empty address) matches nothing.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/base/result.h"

namespace portcullis {

class AddressList {
 public:
  // Adds one entry, or says why it is malformed (then nothing is added).
  Status add(std::string_view entry);
  // The entry as written that matches `address`; nullopt when none does.
  std::optional<std::string> find(std::string_view address) const;
  bool empty() const { return addresses_.empty() && domains_.empty() && parents_.empty(); }

 private:
  struct Entry {
    std::string key;  // lowercased address or domain
    std::string text;
    bool operator<(const Entry& other) const { return key < other.key; }
  };
  static std::optional<std::string> lookup(const std::set<Entry>& entries, std::string_view key);
  std::set<Entry> addresses_;
  std::set<Entry> domains_;
  std::set<Entry> parents_;  // ".example.org" entries, without the leading dot
};

}  // namespace portcullis
