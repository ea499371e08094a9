// The SPF check (RFC 7208) at MAIL FROM: evaluates the MAIL FROM identity (the HELO identity for
// the null sender), adds one symbol per result (SPF_PASS, SPF_FAIL, SPF_SOFTFAIL, SPF_NEUTRAL,
// SPF_NONE, SPF_TEMPERROR, SPF_PERMERROR) with a configured score, records the result in the
// report's AuthResults for DMARC and Authentication-Results, and optionally rejects on fail or
// tempfails on temperror. Built by spfCheckFactory() from `[checks.spf]`.
#pragma once

#include <array>
#include <string>

#include "filters/spf/spf_evaluator.h"
#include "gateway/core/check.h"
#include "gateway/core/check_factory.h"

namespace portcullis::config {
class Section;
}

namespace portcullis::spf {

struct SpfSettings {
  // Score per result, indexed by SpfResult.
  std::array<double, 7> scores{0.1, 0.5, -0.1, 3.0, 1.0, 0.0, 0.5};
  bool reject_on_fail = false;         // 550 5.7.23 with the domain's explanation
  bool tempfail_on_temperror = false;  // 451 4.7.24 instead of a symbol only
  bool skip_authenticated = true;      // no SPF check for SMTP-AUTH clients
  std::string receiver;                // our host name for %{r}; empty: "unknown"
  SpfLimits limits;
  FailMode fail_mode = FailMode::Neutral;
};

// Reads `[checks.spf]` and calls finish() on it.
SpfSettings readSpfSettings(config::Section& section);

// The symbol name of a result: "SPF_PASS", "SPF_FAIL", ...
std::string symbolName(SpfResult result);

class SpfCheck : public Check {
 public:
  SpfCheck(SpfSettings settings, dns::Resolver& resolver);

  std::string_view name() const override { return "spf"; }
  Stage stage() const override { return Stage::MailFrom; }
  FailMode failMode() const override { return settings_.fail_mode; }
  awaitable<void> run(const Transaction& tx, Report& report) const override;

 private:
  SpfSettings settings_;
  SpfEvaluator evaluator_;
};

// CheckFactory "spf". Offline tools that configured no resolver get no SPF check.
CheckFactory spfCheckFactory();

}  // namespace portcullis::spf
