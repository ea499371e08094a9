// The console's pages as HTML strings: one inline style sheet, no script, no external asset, no
// remote content. Every value from a message, the envelope, the index or the request is passed
// through escapeHtml (html_text.h) here, cut to the configured lengths; callers pass raw values.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/quarantine/quarantine_entry.h"
#include "gateway/quarantine/verdict_history.h"
#include "gateway/web/message_view.h"

namespace portcullis::web {

// Who is looking, for the page header and the forms.
struct Viewer {
  std::string user;       // administrator, or empty
  std::string recipient;  // signed-link recipient, or empty
  std::string csrf;       // empty on the login page
};

struct Limits {
  size_t field_chars = 200;  // [web] max_field_length
};

// The search form's values, as typed (dates as YYYY-MM-DD).
struct SearchForm {
  std::string sender, rcpt, subject, symbol, since, until;
};

struct ListPage {
  std::vector<quarantine::Entry> entries;
  size_t page = 1;  // 1-based
  bool has_next = false;
  SearchForm search;      // admins only
  std::string base;       // the list: "/quarantine" or "/mine"
  std::string item_base;  // a message: "/message" or "/mine"
  std::string notice;     // a line shown above the list ("released ...")
};

struct MessagePage {
  quarantine::ShownEntry shown;
  std::optional<MessageView> view;  // nullopt: the message could not be read or parsed
  std::string view_error;
  std::string base;        // "/message" (admin) or "/mine"
  bool can_act = true;     // recipients may act only on mail addressed to them alone
  bool can_learn = false;  // a classifier is configured
  // Administrators: why each rule hits the message with the rules loaded now; empty when the
  // gateway has no content rules or for recipients.
  RuleEvidence evidence;
  bool explained = false;  // the message was explained (the evidence may still be empty)
};

struct HistoryHour {
  std::string hour;    // "2026-12-07 02:00"
  uint64_t count = 0;  // messages of that hour still in the quarantine
  // Verdicts of all messages in that hour, indexed by static_cast<size_t>(Action).
  std::array<uint64_t, quarantine::kVerdictKinds> verdicts{};
};

std::string loginPage(std::string_view login_token, std::string_view error);
std::string listPage(const Viewer& viewer, const Limits& limits, const ListPage& page);
std::string messagePage(const Viewer& viewer, const Limits& limits, const MessagePage& page);
// `verdicts_kept`: the gateway counts verdicts (else only the quarantined column is shown).
std::string historyPage(const Viewer& viewer, const std::vector<HistoryHour>& hours,
                        bool verdicts_kept);
// A short page with a heading and a sentence (results of actions, errors).
std::string notePage(const Viewer& viewer, std::string_view title, std::string_view text,
                     std::string_view back_link);

// The query string of a search (for paging links), without the page number.
std::string searchQuery(const SearchForm& search);

}  // namespace portcullis::web
