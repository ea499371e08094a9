// What a DNS list says about one subject: the query name for an address or a domain in a zone
// (RFC 5782: reversed IPv4 octets or IPv6 nibbles, or the domain, prefixed to the zone), the
// listings an answer means under the zone's return-code mapping, and how listings become symbols
// (one per symbol name, scored once) and a forced reject. Pure; no DNS.
#pragma once

#include <string>
#include <vector>

#include "filters/dnsbl/dnsbl_config.h"
#include "gateway/core/report.h"
#include "gateway/dns/resolver.h"

namespace portcullis::dnsbl {

struct Listing {
  std::string symbol;
  double score = 0;
  bool reject = false;
  std::string zone;
  std::string subject;  // the address or domain that is listed
  std::string code;     // the returned address, e.g. "127.0.0.2"
};

std::string queryName(const dns::IpAddress& address, const Zone& zone);
std::string queryName(std::string_view domain, const Zone& zone);

// Addresses outside 127.0.0.0/8 and the 127.255.255.0/24 error codes (e.g. Spamhaus' "query
// via public resolver refused") never count as listings.
std::vector<Listing> interpret(const Zone& zone, const dns::Answer& answer,
                               const std::string& subject);

// Adds one symbol per distinct symbol name (the highest-magnitude score among its listings) and,
// if any listing rejects, a forced Reject whose text is settings.reject_text with %s (subject)
// and %z (zone) filled in.
void report(const std::vector<Listing>& listings, const DnsblSettings& settings, Report& report);

}  // namespace portcullis::dnsbl
