// The `[checks.spf]` configuration (a score per result, what fail and temperror do, the RFC 7208
// lookup limits) and the CheckFactory that builds the SPF check from it.
#pragma once

#include <string>

#include "filters/spf/spf_evaluator.h"
#include "gateway/config/symbol_scores.h"
#include "gateway/core/action.h"
#include "gateway/core/check_factory.h"

namespace portcullis::config {
class Section;
}

namespace portcullis::spf {

// Symbols this check adds (one per result), with their default scores.
config::SymbolScores defaultScores();

struct SpfSettings {
  config::SymbolScores scores = defaultScores();  // set by `score_<result>` keys
  bool reject_on_fail = false;                    // 550 5.7.23 with the domain's explanation
  bool tempfail_on_temperror = false;             // 451 4.7.24 instead of a symbol only
  bool skip_authenticated = true;                 // no SPF check for SMTP-AUTH clients
  std::string receiver;                           // our host name for %{r}; empty: "unknown"
  SpfLimits limits;
  FailMode fail_mode = FailMode::Neutral;
};

// Reads `[checks.spf]` and calls finish() on it.
SpfSettings readSpfSettings(config::Section& section);

// CheckFactory "spf". Offline tools that configured no resolver get no SPF check.
CheckFactory spfCheckFactory();

}  // namespace portcullis::spf
