#include "gateway/pipeline/policy.h"

#include <fmt/format.h>

#include <algorithm>

#include "gateway/core/envelope.h"
#include "gateway/core/text.h"

namespace portcullis {

namespace {

Verdict refusal(std::string reason, std::string text) {
  Verdict v;
  v.action = Action::Reject;
  v.reason = std::move(reason);
  v.smtp_code = 550;
  v.enhanced = "5.7.1";
  v.reply_text = std::move(text);
  return v;
}

}  // namespace

Policy::Policy(PolicySettings defaults, std::vector<DomainPolicy> domains, AccessLists lists)
    : settings_{std::move(defaults)}, lists_(std::move(lists)) {
  for (auto& d : domains) {
    auto same = std::find(settings_.begin(), settings_.end(), d.settings);
    size_t index = same - settings_.begin();
    if (same == settings_.end()) settings_.push_back(std::move(d.settings));
    domains_[toLower(d.domain)] = index;
  }
}

const std::vector<std::string_view>& Policy::ownHeaderNames() {
  static const std::vector<std::string_view> names = {"X-Spam-Flag", "X-Spam-Score",
                                                      "X-Spam-Status"};
  return names;
}

std::optional<Verdict> Policy::refuseTransaction(std::string_view client_address,
                                                 std::string_view sender) const {
  if (auto hit = lists_.deny_clients.find(client_address)) {
    return refusal("deny list: client " + *hit, "Client host rejected by local policy");
  }
  if (auto hit = lists_.deny_senders.find(sender)) {
    return refusal("deny list: sender " + *hit, "Sender address rejected by local policy");
  }
  return std::nullopt;
}

std::optional<Verdict> Policy::refuseRecipient(std::string_view recipient) const {
  if (auto hit = lists_.deny_recipients.find(recipient)) {
    return refusal("deny list: recipient " + *hit, "Recipient address rejected by local policy");
  }
  return std::nullopt;
}

PolicyChoice Policy::choose(std::string_view client_address, std::string_view sender,
                            std::string_view recipient) const {
  PolicyChoice choice;
  if (auto it = domains_.find(domainOf(recipient)); it != domains_.end()) {
    choice.settings = it->second;
  }
  if (auto hit = lists_.allow_clients.find(client_address)) {
    choice.allowed_by = "client " + *hit;
  } else if (auto hit = lists_.allow_senders.find(sender)) {
    choice.allowed_by = "sender " + *hit;
  } else if (auto hit = lists_.allow_recipients.find(recipient)) {
    choice.allowed_by = "recipient " + *hit;
  }
  return choice;
}

Verdict Policy::decide(const Report& report, const PolicyChoice& choice) const {
  const PolicySettings& settings =
      choice.settings < settings_.size() ? settings_[choice.settings] : settings_.front();
  Verdict v;
  v.score = report.score();
  v.symbols = report.symbols();
  std::sort(v.symbols.begin(), v.symbols.end(),
            [](const Symbol& a, const Symbol& b) { return a.name < b.name; });

  if (auto forced = report.forced(); forced && forced->action != Action::Accept) {
    v.action = forced->action;
    v.reason = forced->reason;
    if (!forced->smtp_code.empty()) {
      v.smtp_code = std::stoi(forced->smtp_code);
      v.enhanced = forced->enhanced;
      v.reply_text = forced->reply_text;
    }
  } else if (!choice.allowed_by.empty()) {
    v.reason = "allow list: " + choice.allowed_by;
  } else if (v.score >= settings.reject_threshold) {
    v.action = Action::Reject;
    v.reason = "score";
  } else if (v.score >= settings.quarantine_threshold) {
    v.action = Action::Quarantine;
    v.reason = "score";
  } else if (v.score >= settings.tag_threshold) {
    v.action = Action::Tag;
    v.reason = "score";
  } else {
    v.reason = "score";
  }

  std::string tests;
  for (const auto& s : v.symbols) {
    if (!tests.empty()) tests += ",";
    tests += fmt::format("{}={:.1f}", s.name, s.score);
  }

  if (v.action == Action::Reject && v.reply_text.empty()) {
    v.smtp_code = 550;
    v.enhanced = "5.7.1";
    v.reply_text = settings.reveal_symbols
                       ? fmt::format("Message rejected as spam (score {:.1f}: {})", v.score, tests)
                       : "Message rejected as spam";
  } else if (v.action == Action::TempFail && v.reply_text.empty()) {
    v.smtp_code = 451;
    v.enhanced = "4.7.1";
    v.reply_text = "Message deferred, try again later";
  }

  bool spam = v.action != Action::Accept;
  v.headers.push_back(
      {"X-Spam-Status",
       fmt::format("{}, score={:.1f} required={:.1f} tests={}", spam ? "Yes" : "No", v.score,
                   settings.tag_threshold, tests.empty() ? "none" : tests)});
  v.headers.push_back({"X-Spam-Score", fmt::format("{:.1f}", v.score)});
  if (spam) v.headers.push_back({"X-Spam-Flag", "YES"});
  if (v.action == Action::Tag) v.subject_prefix = settings.subject_prefix;
  return v;
}

}  // namespace portcullis
