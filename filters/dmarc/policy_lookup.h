// DMARC policy discovery (RFC 7489 §6.6.3): the record at _dmarc.<author domain>, else at
// _dmarc.<organisational domain>. Several DMARC records at one name mean no policy.
#pragma once

#include <string>

#include "filters/dmarc/organizational_domain.h"
#include "filters/dmarc/record.h"
#include "gateway/core/asio.h"

namespace portcullis::dns {
class Resolver;
}

namespace portcullis::dmarc {

struct PolicyLookup {
  enum class Status { Found, NoPolicy, TempError };
  Status status = Status::NoPolicy;
  Record record;                // when Found (it may carry an error: then no DMARC applies)
  std::string policy_domain;    // where the record was found
  bool organizational = false;  // found at the organisational domain, not the author domain
};

awaitable<PolicyLookup> lookupPolicy(dns::Resolver& resolver, const OrganizationalDomains& org,
                                     std::string author_domain);

}  // namespace portcullis::dmarc
