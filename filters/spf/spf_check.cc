#include "filters/spf/spf_check.h"

#include "gateway/base/text.h"

namespace portcullis::spf {

std::string symbolName(SpfResult result) {
  return "SPF_" + toUpper(toString(result));
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
      {symbolName(verdict.result), settings_.scores.of(symbolName(verdict.result)), detail});
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

}  // namespace portcullis::spf
