#include "filters/dmarc/policy_lookup.h"

#include "gateway/dns/resolver.h"

namespace portcullis::dmarc {

namespace {

enum class Step { Found, Empty, Ambiguous, TempError };

awaitable<Step> queryAt(dns::Resolver& resolver, const std::string& domain, Record& record) {
  dns::Answer answer = co_await resolver.query("_dmarc." + domain, dns::RrType::TXT);
  if (answer.temporaryFailure() || answer.status == dns::Status::Error) co_return Step::TempError;
  const std::string* found = nullptr;
  for (const auto& txt : answer.records) {
    if (!isDmarcRecord(txt)) continue;
    if (found) co_return Step::Ambiguous;
    found = &txt;
  }
  if (!found) co_return Step::Empty;
  record = parseRecord(*found);
  co_return Step::Found;
}

}  // namespace

awaitable<PolicyLookup> lookupPolicy(dns::Resolver& resolver, const OrganizationalDomains& org,
                                     std::string author_domain) {
  PolicyLookup out;
  std::string domain = normalizeDomain(author_domain);
  Step step = co_await queryAt(resolver, domain, out.record);
  if (step == Step::Empty) {
    std::string organizational = org.of(domain);
    if (organizational != domain) {
      step = co_await queryAt(resolver, organizational, out.record);
      domain = organizational;
      out.organizational = true;
    }
  }
  switch (step) {
    case Step::Found:
      out.status = PolicyLookup::Status::Found;
      out.policy_domain = domain;
      break;
    case Step::TempError:
      out.status = PolicyLookup::Status::TempError;
      break;
    case Step::Empty:
    case Step::Ambiguous:
      out.status = PolicyLookup::Status::NoPolicy;
      break;
  }
  co_return out;
}

}  // namespace portcullis::dmarc
