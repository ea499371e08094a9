// Reads `[checks.dmarc]` and builds the DMARC check: the CheckFactory the binary lists.
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

#include "filters/dmarc/dmarc_check.h"
#include "gateway/core/check_factory.h"

namespace portcullis::config {
class Section;
}

namespace portcullis::dmarc {

DmarcOptions parseDmarcOptions(config::Section& section);

CheckFactory dmarcCheckFactory();

}  // namespace portcullis::dmarc
