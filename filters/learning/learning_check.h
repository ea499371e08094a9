// The report addresses of `[checks.classifier] report_addresses`: users forward the classifier's
// mistakes to a spam or ham report address at the gateway, which learns the forwarded message(s)
// as that class and does not relay the report (Action::Discard, 250 to the client).
//
// Only trusted reporters teach: a client that authenticated (milter {auth_authen}) or connects
// from `report_networks`. Anyone else's report is refused (550 5.7.1), since an address that
// anyone on the Internet can write to would let spammers teach the classifier that their mail is
// ham. A report must go to one report address alone (a transaction that mixes it with other
// recipients is refused with 550 5.5.3, so nothing is silently dropped for the others). A store
// failure defers the report (451 4.3.0): the reporter's MTA retries, and what was learnt before
// the failure counts once. Each report gets one log line: who reported, as what, what was learnt.
#pragma once

#include <memory>
#include <string>

#include "filters/classifier/classifier.h"
#include "filters/classifier/classifier_config.h"
#include "gateway/core/check.h"
#include "gateway/core/network_list.h"

namespace portcullis::learning {

class ReportCheck : public Check {
 public:
  ReportCheck(const classifier::ClassifierConfig& config,
              std::shared_ptr<const classifier::Classifier> classifier, asio::thread_pool& workers);

  std::string_view name() const override { return "classifier"; }
  Stage stage() const override { return Stage::Message; }
  awaitable<void> run(const Transaction& tx, Report& report) const override;

 private:
  std::string spam_address_;
  std::string ham_address_;
  NetworkList trusted_;
  std::size_t max_messages_;
  std::shared_ptr<const classifier::Classifier> classifier_;
  asio::thread_pool& workers_;
};

}  // namespace portcullis::learning
