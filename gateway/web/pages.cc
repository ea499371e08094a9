#include "gateway/web/pages.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "gateway/web/html_text.h"
#include "gateway/web/url_form.h"

namespace portcullis::web {

namespace {

constexpr std::string_view kStyle = R"css(
body{font-family:system-ui,sans-serif;margin:0;color:#1d232b;background:#f4f6f8}
header{background:#23303d;color:#fff;padding:.6em 1.2em;display:flex;gap:1.5em;align-items:center}
header a{color:#cfe3ff;text-decoration:none}header .who{margin-left:auto}
header form{display:inline}main{padding:1em 1.2em;max-width:90em}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:.35em .5em;border-bottom:1px solid #dde3e9;vertical-align:top}
th{background:#e9eef3}td.num{text-align:right;font-variant-numeric:tabular-nums}
.subject{max-width:34em;overflow-wrap:anywhere}.addr{overflow-wrap:anywhere;max-width:22em}
pre{background:#fff;border:1px solid #dde3e9;padding:.8em;white-space:pre-wrap;
overflow-wrap:anywhere;max-height:40em;overflow:auto}
form.search{display:flex;flex-wrap:wrap;gap:.6em;margin-bottom:1em;align-items:end}
form.search label{display:flex;flex-direction:column;font-size:.85em}
input{padding:.3em;border:1px solid #aab4be;border-radius:3px}
button{padding:.35em .9em;border:1px solid #56677a;border-radius:3px;background:#fff;cursor:pointer}
button.danger{border-color:#a33;color:#a33}.actions{display:flex;gap:.6em;margin:1em 0}
.notice{background:#e6f4ea;border:1px solid #9c9;padding:.5em .8em;margin-bottom:1em}
.error{background:#fdecea;border:1px solid #e99;padding:.5em .8em;margin-bottom:1em}
.pager{display:flex;gap:1em;margin-top:1em}.muted{color:#66727e}
.login{max-width:22em;margin:4em auto;background:#fff;padding:1.5em;border:1px solid #dde3e9}
.login label{display:block;margin:.6em 0}.login input{width:100%;box-sizing:border-box}
.bar{background:#5b7da1;height:.9em;display:inline-block}#summary th{width:10em}
.why{font-family:monospace;color:#3c4a57;margin-top:.2em;overflow-wrap:anywhere}
)css";

std::string esc(std::string_view text, size_t max_chars = SIZE_MAX) {
  return escapeHtml(text, {max_chars, false});
}

std::string isoTime(quarantine::TimePoint t) {
  return fmt::format("{:%Y-%m-%d %H:%M:%S}", std::chrono::floor<std::chrono::seconds>(t));
}

std::string joined(const std::vector<std::string>& items, size_t max_chars) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + esc(item, max_chars);
  return out;
}

std::string csrfField(const Viewer& viewer) {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + esc(viewer.csrf) + "\">";
}

std::string page(const Viewer& viewer, std::string_view title, std::string_view body) {
  std::string nav;
  if (!viewer.user.empty()) {
    nav =
        "<a href=\"/quarantine\">Quarantine</a><a href=\"/history\">History</a>"
        "<span class=\"who\">" +
        esc(viewer.user, 64) + "</span><form method=\"post\" action=\"/logout\">" +
        csrfField(viewer) + "<button type=\"submit\">Log out</button></form>";
  } else if (!viewer.recipient.empty()) {
    nav = "<a href=\"/mine\">My quarantined mail</a><span class=\"who\">" +
          esc(viewer.recipient, 100) + "</span>";
  }
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta name=\"referrer\" content=\"no-referrer\">"
      "<title>{} \xE2\x80\x94 Portcullis</title><style>{}</style></head><body>"
      "<header><strong>Portcullis</strong>{}</header><main>{}</main></body></html>\n",
      esc(title, 80), kStyle, nav, body);
}

std::string symbolsSummary(const quarantine::Details& details, size_t max_chars) {
  std::string out;
  size_t shown = 0;
  constexpr size_t kSymbolsInList = 4;
  for (const auto& s : details.symbols) {
    if (shown++ == kSymbolsInList) {
      out += " \xE2\x80\xA6";
      break;
    }
    out += (out.empty() ? "" : ", ") + esc(s.name, max_chars);
  }
  return out;
}

std::string input(std::string_view name, std::string_view label, std::string_view value,
                  std::string_view type = "text") {
  return fmt::format("<label>{}<input type=\"{}\" name=\"{}\" value=\"{}\"></label>", label, type,
                     name, esc(value, 1000));
}

}  // namespace

std::string searchQuery(const SearchForm& s) {
  std::string q;
  auto add = [&q](std::string_view name, const std::string& value) {
    if (value.empty()) return;
    q += (q.empty() ? "" : "&") + std::string(name) + "=" + urlEncode(value);
  };
  add("sender", s.sender);
  add("rcpt", s.rcpt);
  add("subject", s.subject);
  add("symbol", s.symbol);
  add("since", s.since);
  add("until", s.until);
  return q;
}

std::string loginPage(std::string_view login_token, std::string_view error) {
  std::string body = "<form class=\"login\" method=\"post\" action=\"/login\"><h1>Log in</h1>";
  if (!error.empty()) body += "<div class=\"error\">" + esc(error, 200) + "</div>";
  body += "<input type=\"hidden\" name=\"login_token\" value=\"" + esc(login_token) +
          "\"><label>User<input name=\"user\" autocomplete=\"username\" required></label>"
          "<label>Password<input name=\"password\" type=\"password\" "
          "autocomplete=\"current-password\" required></label>"
          "<button type=\"submit\">Log in</button></form>";
  return page({}, "Log in", body);
}

std::string listPage(const Viewer& viewer, const Limits& limits, const ListPage& p) {
  size_t n = limits.field_chars;
  std::string body;
  bool admin = !viewer.user.empty();
  body += admin ? "<h1>Quarantine</h1>" : "<h1>Your quarantined mail</h1>";
  if (!p.notice.empty()) body += "<div class=\"notice\">" + esc(p.notice, 500) + "</div>";
  if (admin) {
    const SearchForm& s = p.search;
    body += "<form class=\"search\" method=\"get\" action=\"/quarantine\">" +
            input("sender", "Sender", s.sender) + input("rcpt", "Recipient", s.rcpt) +
            input("subject", "Subject", s.subject) + input("symbol", "Symbol", s.symbol) +
            input("since", "From date", s.since, "date") +
            input("until", "To date", s.until, "date") +
            "<button type=\"submit\">Search</button><a href=\"/quarantine\">Clear</a></form>";
  }
  if (p.entries.empty()) {
    body += "<p class=\"muted\" id=\"empty\">No quarantined messages" +
            std::string(p.page > 1 ? " on this page" : "") + ".</p>";
  } else {
    body +=
        "<table id=\"messages\"><thead><tr><th>Arrived (UTC)</th><th>Sender</th><th>Recipients</th>"
        "<th>Subject</th><th>Score</th><th>Symbols</th></tr></thead><tbody>";
    for (const auto& e : p.entries) {
      std::string subject = e.details.subject.empty() ? "(no subject)" : e.details.subject;
      body += fmt::format(
          "<tr data-id=\"{0}\"><td>{1}</td><td class=\"addr\">{2}</td><td class=\"addr\">{3}</td>"
          "<td class=\"subject\"><a href=\"{4}/{0}\">{5}</a></td><td class=\"num\">{6:.2f}</td>"
          "<td>{7}</td></tr>",
          esc(e.id), isoTime(e.arrival), e.sender.empty() ? "&lt;&gt;" : esc(e.sender, n),
          joined(e.recipients, n), p.item_base, esc(subject, n), e.details.score,
          symbolsSummary(e.details, n));
    }
    body += "</tbody></table>";
  }
  std::string query = searchQuery(p.search);
  std::string prefix = p.base + "?" + (query.empty() ? "" : query + "&") + "page=";
  body += "<div class=\"pager\">";
  if (p.page > 1) {
    body += "<a id=\"previous\" href=\"" + esc(prefix) + std::to_string(p.page - 1) +
            "\">\xE2\x86\x90 Newer</a>";
  }
  body += "<span class=\"muted\">Page " + std::to_string(p.page) + "</span>";
  if (p.has_next) {
    body += "<a id=\"next\" href=\"" + esc(prefix) + std::to_string(p.page + 1) +
            "\">Older \xE2\x86\x92</a>";
  }
  body += "</div>";
  return page(viewer, admin ? "Quarantine" : "Your quarantined mail", body);
}

std::string messagePage(const Viewer& viewer, const Limits& limits, const MessagePage& p) {
  size_t n = limits.field_chars;
  const quarantine::Entry& e = p.shown.entry;
  std::string subject = e.details.subject.empty() ? "(no subject)" : e.details.subject;
  std::string body = "<h1 class=\"subject\">" + esc(subject, n) + "</h1>";
  body += fmt::format(
      "<table id=\"summary\"><tr><th>Id</th><td>{}</td></tr><tr><th>Arrived (UTC)</th><td>{}</td>"
      "</tr><tr><th>Client</th><td>{}</td></tr><tr><th>Sender</th><td class=\"addr\">{}</td></tr>"
      "<tr><th>Recipients</th><td class=\"addr\">{}</td></tr><tr><th>Size</th><td>{} bytes</td>"
      "</tr><tr><th>Score</th><td>{:.2f}</td></tr><tr><th>Reason</th><td>{}</td></tr></table>",
      esc(e.id), isoTime(e.arrival), esc(e.client, n),
      e.sender.empty() ? "&lt;&gt;" : esc(e.sender, n), joined(e.recipients, n), e.size,
      e.details.score, esc(e.details.reason, n));
  if (p.can_act) {
    std::string action = p.base + "/" + esc(e.id);
    body += "<div class=\"actions\">";
    body += "<form method=\"post\" action=\"" + action + "/release\">" + csrfField(viewer) +
            "<button id=\"release\" type=\"submit\">Release</button></form>";
    if (p.can_learn) {
      body += "<form method=\"post\" action=\"" + action + "/release-learn\">" + csrfField(viewer) +
              "<button id=\"release-learn\" type=\"submit\">Release and learn as ham</button>"
              "</form>";
    }
    body += "<form method=\"post\" action=\"" + action + "/delete\">" + csrfField(viewer) +
            "<button id=\"delete\" class=\"danger\" type=\"submit\">Delete</button></form></div>";
  } else {
    body +=
        "<p class=\"muted\">This message was also addressed to others; ask your administrator to "
        "release or delete it.</p>";
  }
  body +=
      "<h2>Symbols</h2><table id=\"symbols\"><thead><tr><th>Symbol</th><th>Score</th>"
      "<th>Evidence</th></tr></thead><tbody>";
  for (const auto& s : e.details.symbols) {
    std::string why;
    if (auto it = p.evidence.find(s.name); it != p.evidence.end()) {
      why = "<div class=\"why\">" + esc(it->second, 4 * n) + "</div>";
    }
    body += fmt::format(
        "<tr><td>{}</td><td class=\"num\">{:.2f}</td><td class=\"detail\">{}{}</td></tr>",
        esc(s.name, n), s.score, esc(s.detail, 4 * n), why);
  }
  body += "</tbody></table>";
  if (p.explained) {
    body +=
        "<p class=\"muted\" id=\"evidence-note\">Matched text and evidence come from the rules "
        "loaded now; the symbols and scores are those of the verdict.</p>";
  }
  if (!p.view) {
    body += "<div class=\"error\" id=\"view-error\">" + esc(p.view_error, 500) + "</div>";
    return page(viewer, subject, body);
  }
  body += "<h2>Header</h2><table id=\"headers\">";
  for (const auto& [name, value] : p.view->headers) {
    body += "<tr><th>" + esc(name, 100) + "</th><td class=\"subject\">" + esc(value, 20 * n) +
            "</td></tr>";
  }
  body += "</table>";
  if (!p.view->attachments.empty()) {
    body +=
        "<h2>Attachments</h2><table id=\"attachments\"><tr><th>Name</th><th>Type</th>"
        "<th>Size</th></tr>";
    for (const auto& a : p.view->attachments) {
      body += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                          esc(a.filename, n), esc(a.type, n), a.size);
    }
    body += "</table>";
  }
  body +=
      "<h2>Text</h2><p class=\"muted\">Plain text only: the message's HTML, images and links "
      "are not loaded.</p><pre id=\"text\">" +
      escapeHtml(p.view->text, {SIZE_MAX, true}) + "</pre>";
  if (p.view->text_cut) body += "<p class=\"muted\">The text was cut here.</p>";
  return page(viewer, subject, body);
}

std::string historyPage(const Viewer& viewer, const std::vector<HistoryHour>& hours,
                        bool verdicts_kept) {
  // In the order of portcullis::Action.
  static constexpr const char* kVerdictNames[quarantine::kVerdictKinds] = {
      "accept", "tag", "quarantine", "tempfail", "reject", "discard"};
  auto total = [verdicts_kept](const HistoryHour& h) {
    if (!verdicts_kept) return h.count;
    uint64_t sum = 0;
    for (uint64_t c : h.verdicts) sum += c;
    return std::max(sum, h.count);  // messages quarantined before the history was kept
  };
  uint64_t most = 1;
  for (const auto& h : hours) most = std::max(most, total(h));
  std::string body = verdicts_kept ? "<h1>Verdicts per hour</h1>" : "<h1>Quarantined per hour</h1>";
  body += "<table id=\"history\"><thead><tr><th>Hour (UTC)</th>";
  if (verdicts_kept) {
    for (const char* name : kVerdictNames) body += fmt::format("<th>{}</th>", name);
  }
  body += "<th>In quarantine</th><th></th></tr></thead><tbody>";
  for (const auto& h : hours) {
    constexpr double kBarEm = 30;
    body += "<tr><td>" + esc(h.hour) + "</td>";
    if (verdicts_kept) {
      for (size_t i = 0; i < quarantine::kVerdictKinds; ++i) {
        body += fmt::format("<td class=\"num {}\">{}</td>", kVerdictNames[i], h.verdicts[i]);
      }
    }
    body += fmt::format(
        "<td class=\"num quarantined\">{}</td><td><span class=\"bar\" style=\"width:{:.1f}em\">"
        "</span></td></tr>",
        h.count, kBarEm * static_cast<double>(total(h)) / static_cast<double>(most));
  }
  body += "</tbody></table>";
  if (hours.empty()) body += "<p class=\"muted\">No messages in this period.</p>";
  return page(viewer, "History", body);
}

std::string notePage(const Viewer& viewer, std::string_view title, std::string_view text,
                     std::string_view back_link) {
  std::string body = "<h1>" + esc(title, 100) + "</h1><p id=\"note\">" + esc(text, 1000) + "</p>";
  if (!back_link.empty()) body += "<p><a id=\"back\" href=\"" + esc(back_link) + "\">Back</a></p>";
  return page(viewer, title, body);
}

}  // namespace portcullis::web
