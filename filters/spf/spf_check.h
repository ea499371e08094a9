// The SPF check (RFC 7208) at MAIL FROM: evaluates the MAIL FROM identity (the HELO identity for
// the null sender), adds one symbol per result (SPF_PASS, SPF_FAIL, SPF_SOFTFAIL, SPF_NEUTRAL,
// SPF_NONE, SPF_TEMPERROR, SPF_PERMERROR) with a configured score, records the result in the
// report's AuthResults for DMARC and Authentication-Results, and optionally rejects on fail or
// tempfails on temperror. Built by spfCheckFactory() (spf_config.h) from `[checks.spf]`.
#pragma once

#include <string>

#include "filters/spf/spf_config.h"
#include "filters/spf/spf_evaluator.h"
#include "gateway/core/check.h"

namespace portcullis::spf {

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

}  // namespace portcullis::spf
