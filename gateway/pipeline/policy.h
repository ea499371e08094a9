// Turns what the checks found into a Verdict, and says at MAIL and RCPT who is refused outright.
//
// Deny lists (client network, sender, recipient) refuse with 550 5.7.1 at the earliest point the
// fact is known: the client and the sender at MAIL, a recipient at RCPT. A deny entry beats any
// allow entry.
//
// Allow lists (client network, sender, recipient) make the score count for nothing: allow-listed
// mail is accepted whatever its score (it still gets X-Spam-Status and Authentication-Results).
// Forced actions still apply, because an allow list says whom to trust about spam, not that their
// mail is safe: a virus, a blocked attachment or a check that could not run (tempfail) still
// decide, and so do SPF and DMARC failures — a sender allow list is forgeable, authentication is
// what catches the forgery.
//
// Per-recipient-domain settings ([[policy.domain]]) give a domain its own thresholds, Subject
// prefix and reply detail. One transaction has exactly one policy: choose() gives each recipient
// its PolicyChoice (its domain's settings and whether it is allow-listed); the transaction flow
// (transaction_flow.h, for both front ends) fixes the transaction's choice with its first accepted
// recipient and answers 452 4.5.3 to a recipient whose choice differs, which clients retry in a
// new transaction (RFC 5321 §3.3). So no recipient gets a stricter or a looser decision than its
// own policy gives.
//
// Replies never name rules unless reveal_symbols is set; X-Spam-* header fields are the gateway's
// own and are removed from incoming mail.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/access_lists.h"
#include "gateway/core/verdict.h"

namespace portcullis {

// The thresholds and reply settings of one policy: [policy] or one [[policy.domain]].
struct PolicySettings {
  double tag_threshold = 5.0;
  double quarantine_threshold = 1e9;
  double reject_threshold = 15.0;
  std::string subject_prefix;
  bool reveal_symbols = false;
  friend bool operator==(const PolicySettings&, const PolicySettings&) = default;
};

// A recipient domain whose mail follows its own settings.
struct DomainPolicy {
  std::string domain;
  PolicySettings settings;
};

// The policy one recipient gets. Recipients with the same choice can share a transaction.
struct PolicyChoice {
  size_t settings = 0;     // which of the policy's distinct settings; 0 is [policy]
  std::string allowed_by;  // e.g. "client 192.0.2.0/24"; empty when not allow-listed
  bool sameAs(const PolicyChoice& other) const {
    return settings == other.settings && allowed_by.empty() == other.allowed_by.empty();
  }
};

class Policy {
 public:
  explicit Policy(PolicySettings defaults, std::vector<DomainPolicy> domains = {},
                  AccessLists lists = {});

  // A Reject verdict (550 5.7.1) when the client address or the sender is deny-listed.
  std::optional<Verdict> refuseTransaction(std::string_view client_address,
                                           std::string_view sender) const;
  // A Reject verdict (550 5.7.1) when the recipient is deny-listed.
  std::optional<Verdict> refuseRecipient(std::string_view recipient) const;
  // The policy `recipient` gets in a transaction from this client and sender.
  PolicyChoice choose(std::string_view client_address, std::string_view sender,
                      std::string_view recipient) const;
  // The verdict under `choice` (by default: [policy], nothing allow-listed).
  Verdict decide(const Report& report, const PolicyChoice& choice = {}) const;
  // Header fields the gateway writes; removed from incoming mail so senders cannot forge them.
  static const std::vector<std::string_view>& ownHeaderNames();

 private:
  std::vector<PolicySettings> settings_;   // distinct settings; [0] is [policy]
  std::map<std::string, size_t> domains_;  // lowercase domain -> index into settings_
  AccessLists lists_;
};

}  // namespace portcullis
