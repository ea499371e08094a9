#include "gateway/pipeline/policy.h"

#include <fmt/format.h>

#include <algorithm>

namespace portcullis {

const std::vector<std::string_view>& Policy::ownHeaderNames() {
  static const std::vector<std::string_view> names = {"X-Spam-Flag", "X-Spam-Score",
                                                      "X-Spam-Status"};
  return names;
}

Verdict Policy::decide(const Report& report) const {
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
  } else if (v.score >= settings_.reject_threshold) {
    v.action = Action::Reject;
    v.reason = "score";
  } else if (v.score >= settings_.quarantine_threshold) {
    v.action = Action::Quarantine;
    v.reason = "score";
  } else if (v.score >= settings_.tag_threshold) {
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
    v.reply_text = settings_.reveal_symbols
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
                   settings_.tag_threshold, tests.empty() ? "none" : tests)});
  v.headers.push_back({"X-Spam-Score", fmt::format("{:.1f}", v.score)});
  if (spam) v.headers.push_back({"X-Spam-Flag", "YES"});
  if (v.action == Action::Tag) v.subject_prefix = settings_.subject_prefix;
  return v;
}

}  // namespace portcullis
