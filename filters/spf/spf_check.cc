#include "filters/spf/spf_check.h"

#include "gateway/config/section.h"
#include "gateway/core/text.h"

namespace portcullis::spf {

namespace {
constexpr SpfResult kResults[] = {SpfResult::None,     SpfResult::Neutral,  SpfResult::Pass,
                                  SpfResult::Fail,     SpfResult::SoftFail, SpfResult::TempError,
                                  SpfResult::PermError};
}

std::string symbolName(SpfResult result) {
  return "SPF_" + toUpper(toString(result));
}

SpfSettings readSpfSettings(config::Section& section) {
  SpfSettings s;
  for (SpfResult result : kResults) {
    auto& score = s.scores[static_cast<size_t>(result)];
    score = section.getDouble("score_" + std::string(toString(result)), score, -100, 100);
  }
  s.reject_on_fail = section.getBool("reject_on_fail", s.reject_on_fail);
  s.tempfail_on_temperror = section.getBool("tempfail_on_temperror", s.tempfail_on_temperror);
  s.skip_authenticated = section.getBool("skip_authenticated", s.skip_authenticated);
  s.receiver = section.getString("receiver", s.receiver);
  s.limits.dns_terms =
      static_cast<int>(section.getInt("max_dns_lookups", s.limits.dns_terms, 1, 100));
  s.limits.void_lookups =
      static_cast<int>(section.getInt("max_void_lookups", s.limits.void_lookups, 0, 100));
  s.fail_mode = *parseFailMode(section.getChoice("fail_mode", "neutral", {"neutral", "tempfail"}));
  section.finish();
  return s;
}

SpfCheck::SpfCheck(SpfSettings settings, dns::Resolver& resolver)
    : settings_(std::move(settings)), evaluator_(resolver, settings_.limits) {}

awaitable<void> SpfCheck::run(const Transaction& tx, Report& report) const {
  if (settings_.skip_authenticated && !tx.client.auth_user.empty()) co_return;
  SpfRequest request;
  request.client_ip = tx.client.address;
  request.mail_from = tx.envelope.mail_from;
  request.helo = tx.client.helo;
  if (!settings_.receiver.empty()) request.receiver = settings_.receiver;
  SpfVerdict verdict = co_await evaluator_.check(request);

  std::string detail = verdict.identity + "=" + verdict.domain;
  if (!verdict.reason.empty()) detail += " (" + verdict.reason + ")";
  report.addSymbol(
      {symbolName(verdict.result), settings_.scores[static_cast<size_t>(verdict.result)], detail});
  report.updateAuth([&](AuthResults& auth) {
    auth.spf = SpfOutcome{std::string(toString(verdict.result)), verdict.identity, verdict.domain,
                          verdict.explanation};
  });
  if (verdict.result == SpfResult::Fail && settings_.reject_on_fail) {
    std::string text = verdict.explanation.empty()
                           ? "SPF: " + verdict.domain + " does not designate " + tx.client.address +
                                 " as permitted sender"
                           : verdict.explanation;
    report.force({Action::Reject, "SPF fail for " + verdict.domain, "550", "5.7.23", text});
  } else if (verdict.result == SpfResult::TempError && settings_.tempfail_on_temperror) {
    report.force({Action::TempFail, "SPF temperror for " + verdict.domain, "451", "4.7.24",
                  "SPF: temporary DNS error checking " + verdict.domain});
  }
}

CheckFactory spfCheckFactory() {
  return {"spf", [](config::Section& section, const CheckDeps& deps) {
            SpfSettings settings = readSpfSettings(section);
            std::vector<std::shared_ptr<const Check>> checks;
            if (deps.resolver)
              checks.push_back(std::make_shared<SpfCheck>(settings, *deps.resolver));
            return checks;
          }};
}

}  // namespace portcullis::spf
