// Results of the sender-authentication checks (SPF, DKIM, DMARC) in a form later checks and the
// Authentication-Results header (RFC 8601) are built from. Results use RFC 8601 result keywords.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace portcullis {

struct SpfOutcome {
  std::string result;    // "pass", "fail", "softfail", "neutral", "none", "temperror", "permerror"
  std::string identity;  // "mailfrom" or "helo"
  std::string domain;    // the domain that was checked
  std::string explanation;
};

struct DkimOutcome {
  std::string result;            // "pass", "fail", "neutral", "policy", "temperror", "permerror"
  std::string domain;            // d=
  std::string selector;          // s=
  std::string identity;          // i= (AUID)
  std::string algorithm;         // a=
  std::string reason;            // why it failed, for the header comment
  std::string signature_prefix;  // first 8 characters of b= (RFC 6008 header.b)
};

struct DmarcOutcome {
  std::string result;  // "pass", "fail", "none", "temperror", "permerror"
  std::string header_from_domain;
  std::string policy;       // the policy that applies: "none", "quarantine", "reject"
  std::string disposition;  // what the gateway did about it (after pct= and local policy)
};

struct AuthResults {
  std::optional<SpfOutcome> spf;
  std::vector<DkimOutcome> dkim;
  std::optional<DmarcOutcome> dmarc;

  void merge(const AuthResults& other) {
    if (other.spf) spf = other.spf;
    dkim.insert(dkim.end(), other.dkim.begin(), other.dkim.end());
    if (other.dmarc) dmarc = other.dmarc;
  }
};

}  // namespace portcullis
