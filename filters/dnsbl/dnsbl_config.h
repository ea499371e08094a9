// Configuration of the DNS list checks, read from `[checks.dnsbl]` and its `[[checks.dnsbl.zone]]`
// array, and the CheckFactory that builds the checks from it. A zone is a DNSBL/DNSWL of client
// addresses (kind "ip"), an RHSBL of domains checked against the HELO name and the sender's domain
// ("domain"), or a URIBL of the domains and IP literals of the URIs in the message ("uri"). Its
// answers (127.0.0.x) map to symbols and scores, per return code when the list encodes several
// sub-lists, and may force a reject.
//
// Example (a Spamhaus-ZEN-like mapping plus an allowlist):
//   [[checks.dnsbl.zone]]
//   zone = "zen.spamhaus.org"
//   kind = "ip"
//   symbol = "RCVD_IN_ZEN"
//   score = 2.0
//     [[checks.dnsbl.zone.code]]
//     addresses = ["127.0.0.2", "127.0.0.9"]   # SBL, SBL DROP
//     symbol = "RCVD_IN_SBL"
//     score = 5.0
//     reject = true
//     [[checks.dnsbl.zone.code]]
//     addresses = ["127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7"]  # CSS, XBL
//     symbol = "RCVD_IN_XBL"
//     score = 4.0
//     reject = true
//     [[checks.dnsbl.zone.code]]
//     addresses = ["127.0.0.10", "127.0.0.11"]  # PBL: dynamic ranges
//     symbol = "RCVD_IN_PBL"
//     score = 1.5
//   [[checks.dnsbl.zone]]
//   zone = "list.dnswl.org"
//   symbol = "RCVD_IN_DNSWL"
//   score = -1.0
//     [[checks.dnsbl.zone.code]]
//     addresses = ["127.0.15.3", "127.0.5.3"]
//     symbol = "RCVD_IN_DNSWL_HI"
//     score = -5.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "gateway/core/action.h"
#include "gateway/core/check_factory.h"
#include "gateway/dns/ip_address.h"

namespace portcullis::config {
class Section;
}

namespace portcullis::dnsbl {

enum class ZoneKind { Ip, Domain, Uri };

// One sub-list of a zone, selected by the returned address (exact addresses, or a bit mask over
// the last octet as multi-lists such as SURBL use).
struct ReturnCode {
  std::vector<dns::IpAddress> addresses;
  uint8_t mask = 0;
  std::string symbol;
  double score = 0;
  bool reject = false;
};

struct Zone {
  std::string zone;  // e.g. "zen.spamhaus.org"
  ZoneKind kind = ZoneKind::Ip;
  std::string symbol;  // used for any listing no code claims (and when there are no codes)
  double score = 0;
  bool reject = false;       // a listing forces Reject (codes set their own)
  bool check_helo = true;    // domain zones: look up the HELO name
  bool check_sender = true;  // domain zones: look up the MAIL FROM domain
  std::vector<ReturnCode> codes;
};

struct DnsblSettings {
  std::vector<Zone> zones;
  size_t max_uri_lookups = 20;  // distinct URI hosts looked up per message
  bool skip_local = true;       // no lookups for loopback / private client addresses
  FailMode fail_mode = FailMode::Neutral;
  std::string reject_text = "Service unavailable; client [%s] blocked using %z";  // %s, %z

  bool has(ZoneKind kind) const;
};

// Reads `[checks.dnsbl]` (validating every zone) and calls finish() on it.
DnsblSettings readDnsblSettings(config::Section& section);

// CheckFactory "dnsbl": one check per stage that has zones (dnsbl_check.h); none without a
// resolver (offline).
CheckFactory dnsblCheckFactory();

}  // namespace portcullis::dnsbl
