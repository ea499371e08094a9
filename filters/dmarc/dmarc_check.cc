#include "filters/dmarc/dmarc_check.h"

#include "filters/dkim/author.h"
#include "gateway/dns/resolver.h"

namespace portcullis::dmarc {

namespace {

// The evaluation that decides for the message when the From field names several domains.
int severity(const Evaluation& e) {
  if (e.result == "fail") return 10 + static_cast<int>(e.applied);
  if (e.result == "temperror") return 5;
  if (e.result == "permerror") return 4;
  if (e.result == "pass") return 2;
  return 1;
}

std::string symbolFor(const Evaluation& e) {
  if (e.result == "pass") return "DMARC_PASS";
  if (e.result == "none") return "DMARC_NONE";
  if (e.result == "temperror") return "DMARC_TEMPERROR";
  if (e.result == "permerror") return "DMARC_PERMERROR";
  switch (e.applied) {
    case Policy::Reject:
      return "DMARC_FAIL_REJECT";
    case Policy::Quarantine:
      return "DMARC_FAIL_QUARANTINE";
    case Policy::None:
      break;
  }
  return "DMARC_FAIL_NONE";
}

std::string describe(const Evaluation& e) {
  std::string text = e.author_domain;
  if (!e.policy_domain.empty()) {
    text += " p=" + std::string(toString(e.requested));
    if (e.policy_domain != e.author_domain) text += " (policy of " + e.policy_domain + ")";
  }
  if (!e.reason.empty()) text += ": " + e.reason;
  if (e.sampled_out) text += ", pct= sampled out";
  return text;
}

}  // namespace

DmarcCheck::DmarcCheck(DmarcOptions options, dns::Resolver* resolver)
    : options_(std::move(options)), resolver_(resolver) {
  rng_.seed(options_.random_seed ? *options_.random_seed : std::random_device{}());
}

int DmarcCheck::roll() const {
  std::lock_guard lock(rng_mutex_);
  return static_cast<int>(std::uniform_int_distribution<int>(0, 99)(rng_));
}

void DmarcCheck::addSymbol(Report& report, const std::string& name, std::string detail) const {
  report.addSymbol({name, options_.scores.of(name), std::move(detail)});
}

Policy DmarcCheck::applyAction(Report& report, const Evaluation& e) const {
  if (e.result != "fail" || e.applied == Policy::None) return Policy::None;
  const FailureActions* actions = &options_.actions;
  auto it = options_.domain_actions.find(e.author_domain);
  if (it == options_.domain_actions.end()) {
    it = options_.domain_actions.find(options_.org->of(e.author_domain));
  }
  if (it != options_.domain_actions.end()) actions = &it->second;
  const FailureAction what =
      e.applied == Policy::Reject ? actions->on_reject : actions->on_quarantine;
  std::string reason = "DMARC policy of " + e.author_domain;
  switch (what) {
    case FailureAction::Reject:
      report.force({Action::Reject, reason, "550", "5.7.1",
                    "Message rejected by the DMARC policy of " + e.author_domain});
      return Policy::Reject;
    case FailureAction::Quarantine:
      report.force({Action::Quarantine, reason});
      return Policy::Quarantine;
    case FailureAction::Tag:
      report.force({Action::Tag, reason});
      break;
    case FailureAction::None:
      break;
  }
  return Policy::None;
}

awaitable<void> DmarcCheck::run(const Transaction& tx, Report& report) const {
  dkim::RawMessage message = dkim::splitMessage(tx.message);
  dkim::Author author = dkim::authorOf(message);
  auto record = [&](std::string result, std::string domain, Policy policy, Policy disposition) {
    report.updateAuth([&](AuthResults& auth) {
      auth.dmarc = DmarcOutcome{std::move(result), std::move(domain), std::string(toString(policy)),
                                std::string(toString(disposition))};
    });
  };
  if (author.from_fields == 0) {
    addSymbol(report, "DMARC_NO_FROM", "no From field");
    record("permerror", "", Policy::None, Policy::None);
    co_return;
  }
  if (author.from_fields > 1) {
    addSymbol(report, "DMARC_MULTIPLE_FROM", std::to_string(author.from_fields) + " From fields");
  }
  if (author.domains.empty() || author.domains.size() > options_.max_author_domains) {
    std::string why = author.domains.empty()
                          ? "no author domain"
                          : std::to_string(author.domains.size()) + " author domains";
    addSymbol(report, "DMARC_PERMERROR", why);
    record("permerror", author.domains.empty() ? "" : author.domains.front(), Policy::None,
           Policy::None);
    co_return;
  }
  AuthResults auth = report.auth();
  std::optional<Evaluation> decisive;
  for (const auto& domain : author.domains) {
    PolicyLookup lookup;
    lookup.status = PolicyLookup::Status::TempError;
    if (resolver_) lookup = co_await lookupPolicy(*resolver_, *options_.org, domain);
    bool sampled = lookup.status == PolicyLookup::Status::Found && lookup.record.ok() &&
                   lookup.record.percent < 100;
    Evaluation e = evaluate(domain, lookup, auth, *options_.org, sampled ? roll() : 0);
    if (!decisive || severity(e) > severity(*decisive)) decisive = std::move(e);
  }
  addSymbol(report, symbolFor(*decisive), describe(*decisive));
  Policy disposition = applyAction(report, *decisive);
  record(decisive->result, decisive->author_domain, decisive->requested, disposition);
}

}  // namespace portcullis::dmarc
