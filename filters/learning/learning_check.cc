#include "filters/learning/learning_check.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "filters/learning/message_learning.h"
#include "filters/learning/reported_messages.h"
#include "gateway/base/text.h"
#include "gateway/core/offload.h"

namespace portcullis::learning {

namespace {

using classifier::LearnOutcome;
using classifier::MessageClass;

struct Tally {
  int learnt = 0, already = 0, relearnt = 0;
  std::string error;  // the first store failure; learning stops there
};

ForcedAction refused(std::string reason, std::string code, std::string enhanced, std::string text) {
  return {Action::Reject, std::move(reason), std::move(code), std::move(enhanced), std::move(text)};
}

}  // namespace

ReportCheck::ReportCheck(const classifier::ClassifierConfig& config,
                         std::shared_ptr<const classifier::Classifier> classifier,
                         asio::thread_pool& workers)
    : spam_address_(config.spam_report_address),
      ham_address_(config.ham_report_address),
      max_messages_(config.max_reported_messages),
      classifier_(std::move(classifier)),
      workers_(workers) {
  for (const auto& network : config.report_networks) trusted_.add(network);
}

awaitable<void> ReportCheck::run(const Transaction& tx, Report& report) const {
  bool to_spam = false, to_ham = false, to_others = false;
  for (const auto& rcpt : tx.envelope.recipients) {
    const std::string address = toLower(rcpt.address);
    if (!spam_address_.empty() && address == spam_address_) {
      to_spam = true;
    } else if (!ham_address_.empty() && address == ham_address_) {
      to_ham = true;
    } else {
      to_others = true;
    }
  }
  if (!to_spam && !to_ham) co_return;
  const std::string who =
      fmt::format("client={} sender=<{}>{}", tx.client.address, tx.envelope.mail_from,
                  tx.client.auth_user.empty() ? "" : " user=" + tx.client.auth_user);
  if (to_others || (to_spam && to_ham)) {
    spdlog::warn(
        "{}: classifier report refused: it goes to more than one report address or also to other "
        "recipients ({})",
        tx.id, who);
    report.force(refused("report with other recipients", "550", "5.5.3",
                         "Send a report to one report address alone"));
    co_return;
  }
  const bool spam = to_spam;
  const char* as = spam ? "spam" : "ham";
  if (!trusted_.find(tx.client.address) && tx.client.auth_user.empty()) {
    spdlog::warn(
        "{}: {} report refused: the client is neither authenticated nor in "
        "report_networks ({})",
        tx.id, as, who);
    report.force(refused("classifier report from an untrusted client", "550", "5.7.1",
                         "Reports are accepted only from authenticated or local clients"));
    co_return;
  }

  Tally tally;
  if (tx.parsed) {
    const mime::Message* parsed = tx.parsed.get();
    const classifier::Classifier* classifier = classifier_.get();
    const MessageClass cls = spam ? MessageClass::Spam : MessageClass::Ham;
    const std::size_t max = max_messages_;
    auto work = [parsed, classifier, cls, max] {
      Tally t;
      for (const auto& message : reportedMessages(*parsed, max)) {
        auto outcome = learnMessage(*classifier, message, cls);
        if (!outcome) {
          t.error = outcome.error;
          break;
        }
        t.learnt += *outcome == LearnOutcome::Learned;
        t.already += *outcome == LearnOutcome::AlreadyLearned;
        t.relearnt += *outcome == LearnOutcome::Relearned;
      }
      return t;
    };
    tally = co_await offload(workers_, std::move(work));
  }
  const std::string counts = fmt::format("{} learnt, {} already learnt, {} relearnt", tally.learnt,
                                         tally.already, tally.relearnt);
  if (!tally.error.empty()) {
    spdlog::error("{}: {} report deferred, the classifier failed: {} ({}; {})", tx.id, as,
                  tally.error, counts, who);
    report.force({Action::TempFail, "classifier unavailable for a report", "451", "4.3.0",
                  "Report not learnt now, try again later"});
    co_return;
  }
  const int total = tally.learnt + tally.already + tally.relearnt;
  spdlog::info("{}: {} report learnt and not relayed: {} ({}; {})", tx.id, as, counts,
               total == 0 ? "no forwarded message found" : "from the forwarded messages", who);
  report.addSymbol({spam ? "CLASSIFIER_SPAM_REPORT" : "CLASSIFIER_HAM_REPORT", 0, counts});
  report.force({Action::Discard, fmt::format("{} report: {}", as, counts), "", "", ""});
}

}  // namespace portcullis::learning
