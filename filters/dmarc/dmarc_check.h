// The DMARC check (RFC 7489; Stage::Message, after DKIM): finds the author domain(s) of the
// From field, discovers each one's policy, evaluates SPF (AuthResults::spf, from the MAIL FROM
// stage) and DKIM (AuthResults::dkim) alignment and applies the policy: a symbol (DMARC_PASS,
// DMARC_FAIL_REJECT, DMARC_FAIL_QUARANTINE, DMARC_FAIL_NONE, DMARC_NONE, DMARC_TEMPERROR,
// DMARC_PERMERROR, DMARC_NO_FROM, DMARC_MULTIPLE_FROM), AuthResults::dmarc, and for a failing
// p=reject / p=quarantine the configured forced action (by default the sender's policy).
// Immutable apart from the pct= random generator, which is locked.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "filters/dmarc/dmarc_config.h"
#include "filters/dmarc/evaluation.h"
#include "filters/dmarc/organizational_domain.h"
#include "gateway/core/check.h"

namespace portcullis::dns {
class Resolver;
}

namespace portcullis::dmarc {

class DmarcCheck : public Check {
 public:
  // `resolver` may be null (offline tools): every policy lookup is then a temporary error.
  DmarcCheck(DmarcOptions options, dns::Resolver* resolver);

  std::string_view name() const override { return "dmarc"; }
  Stage stage() const override { return Stage::Message; }
  int priority() const override { return 10; }  // after DKIM (0)
  awaitable<void> run(const Transaction& tx, Report& report) const override;

 private:
  int roll() const;
  void addSymbol(Report& report, const std::string& name, std::string detail) const;
  // Forces the configured action for a failing evaluation; returns the resulting disposition.
  Policy applyAction(Report& report, const Evaluation& evaluation) const;

  DmarcOptions options_;
  dns::Resolver* resolver_;
  mutable std::mutex rng_mutex_;
  mutable std::mt19937_64 rng_;
};

}  // namespace portcullis::dmarc
