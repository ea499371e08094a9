#include "filters/content/eval/header_values.h"

#include <algorithm>
#include <deque>

#include "filters/content/eval/message_facts.h"
#include "gateway/base/text.h"
#include "gateway/mime/tld_list.h"

namespace portcullis::content {
namespace {

bool isBlank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string unfolded(std::string_view raw) {
  std::string out(raw.size(), '\0');
  char* write = out.data();
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') continue;
    if (raw[i] == '\n' && i + 1 < raw.size() && (raw[i + 1] == ' ' || raw[i + 1] == '\t')) {
      *write++ = ' ';
      while (i + 1 < raw.size() && (raw[i + 1] == ' ' || raw[i + 1] == '\t')) ++i;
      continue;
    }
    *write++ = raw[i];
  }
  size_t begin = 0, end = static_cast<size_t>(write - out.data());
  while (begin < end && isBlank(out[begin])) ++begin;
  while (end > begin && isBlank(out[end - 1])) --end;
  out.resize(end);
  out.erase(0, begin);
  return out;
}

void addUnique(std::vector<std::string>& out, std::string value) {
  if (std::find(out.begin(), out.end(), value) == out.end()) out.push_back(std::move(value));
}

// The addresses of the first instance of `name` only (`Name:first:addr`).
std::vector<std::string> firstFieldAddresses(const ContentView& view, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& h : view.headers) {
    if (!iequals(h.name, name)) continue;
    for (auto& mailbox : parseMailboxes(h.decoded)) {
      if (!mailbox.address.empty()) out.push_back(std::move(mailbox.address));
    }
    break;
  }
  return out;
}

// Runs of dots squeezed to one (Perl's tr/././s).
std::string squeezedDots(std::string s) {
  s.erase(std::unique(s.begin(), s.end(), [](char a, char b) { return a == '.' && b == '.'; }),
          s.end());
  return s;
}

// Util::is_fqdn_valid, roughly: dot-separated labels of letters, digits and hyphens ending in a
// known top-level domain.
bool looksLikeFqdn(std::string_view domain) {
  const std::string lower = toLower(domain);
  const size_t dot = lower.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == lower.size()) return false;
  for (std::string_view label : split(lower, '.')) {
    if (label.empty() || label.size() > 63) return false;
    for (char c : label) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
            static_cast<unsigned char>(c) >= 0x80))
        return false;
    }
  }
  return mime::isKnownTld(std::string_view(lower).substr(dot + 1));
}

// The address of " for <local@domain>;" in a Received value, or "".
std::string receivedForAddress(std::string_view received) {
  for (size_t at = received.find(" for "); at != std::string_view::npos;
       at = received.find(" for ", at + 1)) {
    size_t begin = at + 5;
    if (begin < received.size() && received[begin] == '<') ++begin;
    size_t end = begin;
    while (end < received.size() && !isBlank(received[end])) ++end;
    // \S+\@(\S+?)>?; within the non-space run: the shortest domain followed by ">;" or ";".
    std::string_view token = received.substr(begin, end - begin);
    const size_t semicolon = token.find(';');
    if (semicolon == std::string_view::npos) continue;
    std::string_view candidate = token.substr(0, semicolon);
    if (!candidate.empty() && candidate.back() == '>') candidate.remove_suffix(1);
    const size_t sign = candidate.rfind('@');
    if (sign == std::string_view::npos || sign == 0 || sign + 1 == candidate.size()) continue;
    if (looksLikeFqdn(candidate.substr(sign + 1))) return std::string(candidate);
  }
  return {};
}

// The addresses of each header name asked for in one scan, by name as asked (names compare
// without case). A deque: references handed out stay valid as names are added.
struct AddressesByHeader {
  mutable std::deque<std::pair<std::string, std::vector<std::string>>> entries;
};

// The unfolded values of each header name asked for in one scan, as AddressesByHeader.
struct UnfoldedByHeader {
  mutable std::deque<std::pair<std::string, std::vector<std::string>>> entries;
};

struct ReceivedText {
  std::string text;
};

struct AllFromAddresses {
  std::vector<std::string> addresses;
};

struct AllToAddresses {
  std::vector<std::string> addresses;
};

std::vector<std::string> parsedHeaderAddresses(const EvalInput& input, std::string_view name) {
  std::vector<std::string> out;
  if (iequals(name, "EnvelopeFrom")) {
    const std::string envelope = input.facts.pseudoHeader("EnvelopeFrom").value_or("");
    for (auto& mailbox : parseMailboxes(envelope)) {
      if (!mailbox.address.empty()) out.push_back(std::move(mailbox.address));
    }
    return out;
  }
  for (const auto& h : input.view.headers) {
    if (!iequals(h.name, name)) continue;
    for (auto& mailbox : parseMailboxes(h.decoded)) {
      if (!mailbox.address.empty()) out.push_back(std::move(mailbox.address));
    }
  }
  return out;
}

std::vector<std::string> computeAllFromAddresses(const EvalInput& input) {
  std::vector<std::string> out;
  std::vector<std::string> resent = firstFieldAddresses(input.view, "Resent-From");
  if (!resent.empty()) {
    for (auto& address : resent) addUnique(out, std::move(address));
    return out;
  }
  for (std::string_view name :
       {"From", "Envelope-Sender", "Resent-Sender", "X-Envelope-From", "EnvelopeFrom"}) {
    for (const auto& address : headerAddresses(input, name)) {
      addUnique(out, squeezedDots(address));
    }
  }
  return out;
}

std::vector<std::string> computeAllToAddresses(const EvalInput& input) {
  std::vector<std::string> out;
  std::vector<std::string> resent = firstFieldAddresses(input.view, "Resent-To");
  for (auto& address : firstFieldAddresses(input.view, "Resent-Cc")) {
    resent.push_back(std::move(address));
  }
  if (!resent.empty()) {
    for (auto& address : resent) addUnique(out, std::move(address));
    return out;
  }
  const std::vector<std::string>& received = unfoldedValues(input, "Received");
  for (size_t i = 0; i < received.size() && i < 3; ++i) {
    if (std::string address = receivedForAddress(received[i]); !address.empty()) {
      addUnique(out, std::move(address));
    }
  }
  for (std::string_view name :
       {"To", "Apparently-To", "Delivered-To", "Envelope-Recipients", "Apparently-Resent-To",
        "X-Envelope-To", "Envelope-To", "X-Delivered-To", "X-Original-To", "X-Rcpt-To", "X-Real-To",
        "Cc"}) {
    for (const auto& address : headerAddresses(input, name)) addUnique(out, address);
  }
  return out;
}

}  // namespace

std::vector<std::string> unfoldedValues(const ContentView& view, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& h : view.headers) {
    if (iequals(h.name, name)) out.push_back(unfolded(h.raw));
  }
  return out;
}

const std::vector<std::string>& unfoldedValues(const EvalInput& input, std::string_view name) {
  const UnfoldedByHeader& cache =
      input.facts.get<UnfoldedByHeader>([] { return UnfoldedByHeader{}; });
  for (const auto& [asked, values] : cache.entries) {
    if (iequals(asked, name)) return values;
  }
  cache.entries.emplace_back(std::string(name), unfoldedValues(input.view, name));
  return cache.entries.back().second;
}

const std::string& receivedText(const EvalInput& input) {
  return input.facts
      .get<ReceivedText>(
          [&input] { return ReceivedText{joinedLines(unfoldedValues(input, "Received"))}; })
      .text;
}

std::vector<std::string_view> decodedValues(const ContentView& view, std::string_view name) {
  std::vector<std::string_view> out;
  for (const auto& h : view.headers) {
    if (iequals(h.name, name)) out.push_back(h.decoded);
  }
  return out;
}

std::string joinedLines(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out.append(v).append("\n");
  return out;
}

std::string joinedLines(const std::vector<std::string_view>& values) {
  std::string out;
  for (const auto& v : values) out.append(v).append("\n");
  return out;
}

const std::vector<std::string>& headerAddresses(const EvalInput& input, std::string_view name) {
  const AddressesByHeader& cache =
      input.facts.get<AddressesByHeader>([] { return AddressesByHeader{}; });
  for (const auto& [asked, addresses] : cache.entries) {
    if (iequals(asked, name)) return addresses;
  }
  cache.entries.emplace_back(std::string(name), parsedHeaderAddresses(input, name));
  return cache.entries.back().second;
}

std::string firstAddress(const EvalInput& input, std::string_view name) {
  const std::vector<std::string>& all = headerAddresses(input, name);
  return all.empty() ? std::string() : all.front();
}

const std::vector<std::string>& allFromAddresses(const EvalInput& input) {
  return input.facts
      .get<AllFromAddresses>([&input] { return AllFromAddresses{computeAllFromAddresses(input)}; })
      .addresses;
}

const std::vector<std::string>& allToAddresses(const EvalInput& input) {
  return input.facts
      .get<AllToAddresses>([&input] { return AllToAddresses{computeAllToAddresses(input)}; })
      .addresses;
}

bool globMatches(std::string_view pattern, std::string_view text) {
  // The literal text after the last wildcard must end the text ("*@example.com"): that settles
  // nearly every entry of a long list at once.
  const size_t last = pattern.find_last_of("*?");
  const std::string_view tail = last == std::string_view::npos ? pattern : pattern.substr(last + 1);
  if (!text.ends_with(tail)) return false;
  // Linear-time wildcard matching: on a mismatch, retry from the last '*' one character later.
  size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::unique_ptr<const PcrePattern> perlPattern(std::string_view pattern, bool caseless, bool jit) {
  RuleRegex regex;
  regex.pattern = std::string(pattern);
  regex.caseless = caseless;
  auto compiled = PcrePattern::compile(regex, false, jit, PcreLimits{});
  if (!compiled) return nullptr;
  return std::move(*compiled);
}

}  // namespace portcullis::content
