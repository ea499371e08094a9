// The `[checks.dmarc]` settings (DmarcOptions, the symbols' scores) and the CheckFactory that
// builds the DMARC check (dmarc_check.h) from them; the binary lists the factory.
//
//   [checks.dmarc]
//   enabled = true
//   on_reject = "reject"          # a failing p=reject: "reject", "quarantine", "tag" or "none"
//   on_quarantine = "quarantine"  # a failing p=quarantine: same choices
//   psl_file = ""                 # Public Suffix List file; empty means libpsl's newest list
//   max_author_domains = 4        # distinct From domains evaluated; more is a permerror
//   random_seed = 1               # pct= sampling seed (tests); absent means random
//   [checks.dmarc.domains."example.org"]   # overrides by author or organisational domain
//   on_reject = "quarantine"
//   [checks.dmarc.scores]
//   DMARC_FAIL_REJECT = 2.0       # any symbol of defaultScores()
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "filters/dmarc/organizational_domain.h"
#include "gateway/config/symbol_scores.h"
#include "gateway/core/check_factory.h"

namespace portcullis::config {
class Section;
}

namespace portcullis::dmarc {

// Symbols this check adds, with their default scores.
config::SymbolScores defaultScores();

// What a failing message gets: "reject", "quarantine", "tag" or "none" (only the symbol's score).
enum class FailureAction { Reject, Quarantine, Tag, None };

// The action per policy the sender asked for.
struct FailureActions {
  FailureAction on_reject = FailureAction::Reject;
  FailureAction on_quarantine = FailureAction::Quarantine;
};

struct DmarcOptions {
  FailureActions actions;
  std::map<std::string, FailureActions> domain_actions;  // by author or organisational domain
  std::shared_ptr<const OrganizationalDomains> org;      // required
  size_t max_author_domains = 4;        // more distinct From domains are a permerror
  std::optional<uint64_t> random_seed;  // pct= sampling; unset means seeded at random
  config::SymbolScores scores = defaultScores();
};

DmarcOptions parseDmarcOptions(config::Section& section);

CheckFactory dmarcCheckFactory();

}  // namespace portcullis::dmarc
