// RFC 7208 check_host(): evaluates the SPF policy of a domain for a client address over the
// asynchronous Resolver. Every mechanism and modifier, macros, the 10-term DNS lookup limit, the
// void lookup limit, the per-mechanism MX and PTR limits and exp= explanations are implemented.
// DNS failures become temperror, never exceptions. Thread-safe: each call keeps its own state.
#pragma once

#include <string>

#include "filters/spf/spf_result.h"
#include "gateway/core/asio.h"
#include "gateway/dns/resolver.h"

namespace portcullis::spf {

struct SpfLimits {
  int dns_terms = 10;           // mechanisms and modifiers that query DNS (section 4.6.4)
  int void_lookups = 2;         // lookups answering NXDOMAIN or no data
  int addresses_per_name = 10;  // MX hosts per mx (more: permerror), PTR names per ptr (ignored)
};

struct SpfRequest {
  std::string client_ip;             // textual IPv4 or IPv6 address
  std::string mail_from;             // MAIL FROM address without brackets; empty for <>
  std::string helo;                  // HELO/EHLO argument
  std::string receiver = "unknown";  // our host name, for the %{r} macro in explanations
};

struct SpfVerdict {
  SpfResult result = SpfResult::None;
  std::string identity;     // "mailfrom" or "helo"
  std::string domain;       // the domain checked
  std::string explanation;  // exp= text for fail results (empty when none)
  std::string reason;       // the matching mechanism or why it errored, for logs and symbols
};

class SpfEvaluator {
 public:
  explicit SpfEvaluator(dns::Resolver& resolver, SpfLimits limits = {})
      : resolver_(resolver), limits_(limits) {}

  // Checks the MAIL FROM identity, or the HELO identity when MAIL FROM is empty.
  awaitable<SpfVerdict> check(const SpfRequest& request) const;

 private:
  dns::Resolver& resolver_;
  SpfLimits limits_;
};

}  // namespace portcullis::spf
