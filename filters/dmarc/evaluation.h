// DMARC evaluation of one author domain (RFC 7489 §6.6.2, §6.6.4) once its policy is known:
// an aligned SPF pass or an aligned DKIM pass passes; otherwise the requested policy (p=, or sp=
// when the record came from the organisational domain) applies, sampled by pct=. Pure: the
// caller supplies the random roll.
#pragma once

#include <string>

#include "filters/dmarc/organizational_domain.h"
#include "filters/dmarc/policy_lookup.h"
#include "gateway/core/auth_results.h"

namespace portcullis::dmarc {

struct Evaluation {
  std::string result;  // RFC 8601: "pass", "fail", "none", "temperror", "permerror"
  std::string author_domain;
  std::string policy_domain;
  Policy requested = Policy::None;  // what the record asks for this domain
  Policy applied = Policy::None;    // after pct= sampling (a fail only)
  bool sampled_out = false;         // pct= excluded this message: the policy was softened
  bool spf_aligned = false;
  bool dkim_aligned = false;
  std::string reason;  // for the symbol detail
};

// `roll` is uniform in [0, 100): the policy applies when roll < pct.
Evaluation evaluate(const std::string& author_domain, const PolicyLookup& lookup,
                    const AuthResults& auth, const OrganizationalDomains& org, int roll);

}  // namespace portcullis::dmarc
