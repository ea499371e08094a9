#include "filters/dmarc/evaluation.h"

#include "filters/dmarc/alignment.h"

namespace portcullis::dmarc {

Evaluation evaluate(const std::string& author_domain, const PolicyLookup& lookup,
                    const AuthResults& auth, const OrganizationalDomains& org, int roll) {
  Evaluation e;
  e.author_domain = author_domain;
  e.policy_domain = lookup.policy_domain;
  if (lookup.status == PolicyLookup::Status::TempError) {
    e.result = "temperror";
    e.reason = "policy lookup failed";
    return e;
  }
  if (lookup.status == PolicyLookup::Status::NoPolicy) {
    e.result = "none";
    e.reason = "no policy";
    return e;
  }
  const Record& record = lookup.record;
  if (!record.ok()) {
    e.result = "permerror";
    e.reason = record.error;
    return e;
  }
  e.requested =
      lookup.organizational && record.subdomain_policy ? *record.subdomain_policy : record.policy;
  if (auth.spf && auth.spf->result == "pass") {
    e.spf_aligned = aligned(auth.spf->domain, author_domain, record.spf_alignment, org);
  }
  for (const auto& dkim : auth.dkim) {
    if (dkim.result == "pass" && aligned(dkim.domain, author_domain, record.dkim_alignment, org)) {
      e.dkim_aligned = true;
    }
  }
  if (e.spf_aligned || e.dkim_aligned) {
    e.result = "pass";
    e.reason = e.dkim_aligned ? "aligned DKIM" : "aligned SPF";
    return e;
  }
  e.result = "fail";
  e.applied = e.requested;
  if (roll >= record.percent) {
    e.sampled_out = true;
    e.applied = e.requested == Policy::Reject ? Policy::Quarantine : Policy::None;
  }
  e.reason = "no aligned SPF or DKIM pass";
  return e;
}

}  // namespace portcullis::dmarc
