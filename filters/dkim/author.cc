#include "filters/dkim/author.h"

#include <algorithm>

#include "gateway/base/text.h"

namespace portcullis::dkim {

namespace {

// Splits a mailbox list at top-level commas and removes comments and quoted strings, keeping
// angle brackets so that the address inside them can be preferred.
std::vector<std::string> mailboxes(std::string_view text) {
  std::vector<std::string> out(1);
  int comment_depth = 0;
  bool quoted = false;
  int angle_depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        quoted = false;
      continue;
    }
    if (comment_depth > 0) {
      if (c == '\\')
        ++i;
      else if (c == '(')
        ++comment_depth;
      else if (c == ')')
        --comment_depth;
      continue;
    }
    if (c == '"') {
      quoted = true;
    } else if (c == '(') {
      comment_depth = 1;
    } else if (c == ',' && angle_depth == 0) {
      out.emplace_back();
    } else {
      if (c == '<') ++angle_depth;
      if (c == '>' && angle_depth > 0) --angle_depth;
      out.back().push_back(c);
    }
  }
  return out;
}

std::string domainOfMailbox(std::string_view mailbox) {
  // Prefer the innermost <...> that holds an '@'; otherwise the bare addr-spec.
  std::string_view address = mailbox;
  size_t close = mailbox.rfind('>');
  size_t at = mailbox.rfind('@');
  if (close != std::string_view::npos && at != std::string_view::npos && at < close) {
    size_t open = mailbox.rfind('<', at);
    if (open != std::string_view::npos) address = mailbox.substr(open + 1, close - open - 1);
  }
  at = address.rfind('@');
  if (at == std::string_view::npos) return {};
  std::string_view domain = address.substr(at + 1);
  size_t end = domain.find_first_of("<> \t\r\n;");
  domain = domain.substr(0, end);
  while (!domain.empty() && domain.front() == '.') domain.remove_prefix(1);
  while (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  if (domain.size() >= 2 && domain.front() == '[' && domain.back() == ']') return {};
  return toLower(domain);
}

}  // namespace

std::vector<std::string> mailboxDomains(std::string_view from_value) {
  std::vector<std::string> out;
  for (const auto& mailbox : mailboxes(from_value)) {
    if (trim(mailbox).empty()) continue;
    out.push_back(domainOfMailbox(mailbox));
  }
  return out;
}

Author authorOf(const RawMessage& message) {
  Author author;
  for (const auto& field : message.fields) {
    if (!iequals(field.name, "From")) continue;
    ++author.from_fields;
    for (auto& domain : mailboxDomains(field.value)) {
      if (domain.empty()) {
        author.has_mailbox_without_domain = true;
      } else if (std::find(author.domains.begin(), author.domains.end(), domain) ==
                 author.domains.end()) {
        author.domains.push_back(std::move(domain));
      }
    }
  }
  return author;
}

}  // namespace portcullis::dkim
