// Reads `[checks.dkim]` and builds the DKIM check: the CheckFactory the binary lists.
//
//   [checks.dkim]
//   enabled = true
//   min_rsa_bits = 1024          # smaller RSA keys give dkim=policy
//   clock_skew = "5m"            # allowance for x= (expiry) and t= (signing time)
//   max_signatures = 8           # signatures verified per message
//   key_cache_size = 1000        # decoded public keys kept in memory (DNS is asked every time)
//   single_instance_headers = ["from"]  # an unsigned extra instance makes a signature "policy"
//   [checks.dkim.scores]
//   DKIM_VALID = -0.1            # any symbol of defaultScores()
#pragma once

#include "filters/dkim/dkim_check.h"
#include "gateway/core/check_factory.h"

namespace portcullis::config {
class Section;
}

namespace portcullis::dkim {

DkimOptions parseDkimOptions(config::Section& section);

// Reads per-symbol scores from `scores` (an optional sub-table of `section`): every key must
// name one of `known`'s symbols. Shared with DMARC.
std::map<std::string, double> parseScores(config::Section& section,
                                          const std::map<std::string, double>& known);

CheckFactory dkimCheckFactory();

}  // namespace portcullis::dkim
