// The `[checks.dkim]` settings (DkimOptions, the symbols' scores) and the CheckFactory that builds
// the DKIM check (dkim_check.h) from them; the binary lists the factory.
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

#include <cstddef>

#include "filters/dkim/verifier.h"
#include "gateway/config/symbol_scores.h"
#include "gateway/core/check_factory.h"

namespace portcullis::config {
class Section;
}

namespace portcullis::dkim {

// Symbols this check adds, with their default scores.
config::SymbolScores defaultScores();

struct DkimOptions {
  VerifyOptions verify;
  size_t max_signatures = 8;     // more are counted, not verified
  size_t key_cache_size = 1000;  // decoded public keys kept (0: none)
  config::SymbolScores scores = defaultScores();
};

DkimOptions parseDkimOptions(config::Section& section);

CheckFactory dkimCheckFactory();

}  // namespace portcullis::dkim
