#include "filters/content/content_view.h"

#include <cctype>

#include "gateway/base/text.h"

namespace portcullis::content {
namespace {

// Appends `s` with folded whitespace made one space (what SpamAssassin's decoded `ALL` shows).
void appendUnfolded(std::string& out, std::string_view s) {
  const size_t start = out.size();
  bool space = false;
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\t' || c == ' ') {
      space = true;
      continue;
    }
    if (space && out.size() > start) out += ' ';
    space = false;
    out += c;
  }
}

std::string unquoteName(std::string_view s) {
  s = trimAsciiSpace(s);
  for (int round = 0; round < 2; ++round) {
    if (s.size() >= 2 &&
        ((s.front() == '"' && s.back() == '"') || (s.front() == '\'' && s.back() == '\'')))
      s = trimAsciiSpace(s.substr(1, s.size() - 2));
  }
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out += s[i];
  }
  return out;
}

// Splits at commas outside quotes, angle brackets and comments.
std::vector<std::string_view> splitAddressList(std::string_view value) {
  std::vector<std::string_view> items;
  bool quoted = false;
  int angle = 0, paren = 0;
  size_t start = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '\\') {
      ++i;
    } else if (c == '"' && paren == 0) {
      quoted = !quoted;
    } else if (!quoted) {
      if (c == '(') ++paren;
      if (c == ')' && paren > 0) --paren;
      if (paren == 0) {
        if (c == '<') ++angle;
        if (c == '>' && angle > 0) --angle;
        if (c == ',' && angle == 0) {
          items.push_back(value.substr(start, i - start));
          start = i + 1;
        }
      }
    }
  }
  items.push_back(value.substr(start));
  return items;
}

// Header values joined as SpamAssassin's get() returns them: each ends in a newline; addresses and
// names (`:addr`, `:name`) are joined by newlines with none after the last, so /\s/ on From:addr
// only sees the address itself.
class ValueJoiner {
 public:
  explicit ValueJoiner(HeaderForm form) : form_(form) {}

  void addHeaders(const std::vector<ViewHeader>& headers, std::string_view name) {
    for (const auto& h : headers) {
      if (!iequals(h.name, name)) continue;
      if (form_ == HeaderForm::Raw || form_ == HeaderForm::Decoded) {
        add(form_ == HeaderForm::Raw ? h.raw : h.decoded);
        continue;
      }
      for (const auto& mailbox : parseMailboxes(h.decoded))
        add(form_ == HeaderForm::Addr ? mailbox.address : mailbox.name);
    }
  }
  // nullopt when no header gave a value.
  std::optional<std::string> text() && {
    if (values_ == 0) return std::nullopt;
    return std::move(text_);
  }

 private:
  void add(std::string_view value) {
    ++values_;
    const bool mailbox_parts = form_ == HeaderForm::Addr || form_ == HeaderForm::Name;
    if (mailbox_parts && !text_.empty()) text_ += '\n';
    text_ += value;
    if (!mailbox_parts && (text_.empty() || text_.back() != '\n')) text_ += '\n';
  }

  const HeaderForm form_;
  std::string text_;
  size_t values_ = 0;
};

std::optional<std::string> lookup(const std::vector<ViewHeader>& headers,
                                  std::string_view raw_section, std::string_view name,
                                  HeaderForm form) {
  if (name == "ALL") {
    if (form == HeaderForm::Raw) return std::string(raw_section);
    std::string text;
    for (const auto& h : headers) {
      text.append(h.name).append(": ");
      appendUnfolded(text, h.decoded);
      text += '\n';
    }
    return text;
  }
  ValueJoiner joiner(form);
  if (iequals(name, "ToCc")) {
    joiner.addHeaders(headers, "To");
    joiner.addHeaders(headers, "Cc");
  } else if (name == "MESSAGEID") {
    for (std::string_view h :
         {"X-Message-Id", "Resent-Message-Id", "X-Original-Message-ID", "Message-Id"})
      joiner.addHeaders(headers, h);
  } else {
    joiner.addHeaders(headers, name);
  }
  return std::move(joiner).text();
}

}  // namespace

std::vector<MailboxText> parseMailboxes(std::string_view value) {
  std::vector<MailboxText> out;
  for (std::string_view item : splitAddressList(value)) {
    item = trimAsciiSpace(item);
    // A group "display: a@b, c@d ;": drop the display name and the closing semicolon.
    if (const size_t colon = item.find(':'); colon != std::string_view::npos &&
                                             item.find('<') > colon && item.find('@') > colon &&
                                             item.find('"') > colon) {
      item = trimAsciiSpace(item.substr(colon + 1));
    }
    while (!item.empty() && item.back() == ';')
      item = trimAsciiSpace(item.substr(0, item.size() - 1));
    if (item.empty()) continue;
    MailboxText mailbox;
    const size_t open = item.rfind('<');
    const size_t close = item.rfind('>');
    if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
      mailbox.address = std::string(trimAsciiSpace(item.substr(open + 1, close - open - 1)));
      mailbox.name = unquoteName(item.substr(0, open));
    } else {
      std::string address;
      std::string comment;
      int paren = 0;
      for (char c : item) {
        if (c == '(') {
          if (paren++ == 0) continue;
        } else if (c == ')' && paren > 0) {
          if (--paren == 0) continue;
        }
        (paren > 0 ? comment : address) += c;
      }
      mailbox.address = std::string(trimAsciiSpace(address));
      mailbox.name = unquoteName(comment);
    }
    if (!mailbox.address.empty() || !mailbox.name.empty()) out.push_back(std::move(mailbox));
  }
  return out;
}

std::optional<std::string> headerText(const ContentView& view, std::string_view name,
                                      HeaderForm form) {
  for (const auto& [pseudo, value] : view.pseudo_headers) {
    if (iequals(pseudo, name)) return value + "\n";
  }
  return lookup(view.headers, view.raw_header_section, name, form);
}

std::optional<std::string> partHeaderText(const ViewPart& part, std::string_view name,
                                          HeaderForm form) {
  if (name == "ALL") return std::nullopt;
  return lookup(part.headers, {}, name, form);
}

}  // namespace portcullis::content
