#include "gateway/mime/received.h"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <functional>
#include <initializer_list>
#include <memory>
#include <utility>
#include <vector>

#include "gateway/base/text.h"
#include "gateway/mime/received_anchor.h"
#include "gateway/mime/received_forms.h"
#include "gateway/mime/received_scan.h"

namespace portcullis::mime {
namespace {

constexpr size_t kMaxValueLength = 8192;  // SpamAssassin's MAX_HEADER_VALUE_LENGTH

// SpamAssassin's IP_ADDRESS (IPv4, IPv4-mapped IPv6 or IPv6) in its pieces, without its
// lookarounds: RE2 has none, so every pattern that uses an address states what they demand of
// the bytes around it. IP_ADDRESS begins with `(?<!:)` (IPv4) or `(?<![a-f0-9:])` (IPv6, unless
// spelled "IPv6:...") and ends the IPv6 forms with `(?![a-f0-9:])`.
constexpr std::string_view kIpv4 =
    R"re((?:1\d\d|2[0-4]\d|25[0-5]|[1-9]\d|\d)\.(?:1\d\d|2[0-4]\d|25[0-5]|[1-9]\d|\d)\.)re"
    R"re((?:1\d\d|2[0-4]\d|25[0-5]|[1-9]\d|\d)\.(?:1\d\d|2[0-4]\d|25[0-5]|[1-9]\d|\d))re";
// The IPv6 prefixes of an embedded IPv4 part, then the pure IPv6 forms.
constexpr std::string_view kIpv6Mapped =
    R"re((?:(?:[a-f0-9]{1,4}:){6}|::(?:[a-f0-9]{1,4}:){0,5}|(?:[a-f0-9]{1,4}:){1,5}:|)re"
    R"re([a-f0-9]{1,4}::(?:[a-f0-9]{1,4}:){1,4}|(?:[a-f0-9]{1,4}:){2}:(?:[a-f0-9]{1,4}:){1,3}|)re"
    R"re((?:[a-f0-9]{1,4}:){3}:(?:[a-f0-9]{1,4}:){1,2}|(?:[a-f0-9]{1,4}:){4}:[a-f0-9]{1,4}:))re";
constexpr std::string_view kIpv6Pure =
    R"re((?:[a-f0-9]{1,4}:){7}[a-f0-9]{1,4}|)re"
    R"re(:(?::[a-f0-9]{1,4}){1,7}|(?:[a-f0-9]{1,4}:){1,7}:|[a-f0-9]{1,4}:(?::[a-f0-9]{1,4}){1,6}|)re"
    R"re((?:[a-f0-9]{1,4}:){2}(?::[a-f0-9]{1,4}){1,5}|(?:[a-f0-9]{1,4}:){3}(?::[a-f0-9]{1,4}){1,4}|)re"
    R"re((?:[a-f0-9]{1,4}:){4}(?::[a-f0-9]{1,4}){1,3}|(?:[a-f0-9]{1,4}:){5}(?::[a-f0-9]{1,4}){1,2}|)re"
    R"re((?:[a-f0-9]{1,4}:){6}:[a-f0-9]{1,4}|::)re";
// The bytes IP_ADDRESS's lookarounds exclude next to an IPv6 address.
constexpr std::string_view kNotIpv6Byte = "[^a-fA-F0-9:]";

// Which IP_ADDRESS spellings a pattern is built to meet. Every IPv6 spelling (and every IPv6
// spelling of LOCALHOST and IP_PRIVATE) contains ':', so in a text without one those alternatives
// never match: a pattern built without them (Ipv4Only) finds the same match with the same groups,
// and RE2 runs it with captures many times faster, its program being a fraction of the size.
enum class IpForms { All, Ipv4Only };

// An atom that never matches (an empty class): stands for the IPv6 forms in an Ipv4Only pattern,
// so that the pattern keeps its groups and their numbers.
constexpr std::string_view kNever = "[^\\x00-\\xff]";

// {IP4}: the IPv4 form; {IP6}: the IPv6 forms, "IPv6:" first; {IP}: both, where the bytes around
// the address already satisfy the lookarounds (a bracket, parenthesis, '@', space, ',' or the
// start or end of the text).
std::string ipv4Form() {
  return "\\b" + std::string(kIpv4) + "\\b";
}
std::string ipv6Body(IpForms forms) {
  if (forms == IpForms::Ipv4Only) return std::string(kNever);
  return "(?i:" + std::string(kIpv6Mapped) + std::string(kIpv4) + "|" + std::string(kIpv6Pure) +
         ")";
}
std::string ipv6Form(IpForms forms) {
  if (forms == IpForms::Ipv4Only) return std::string(kNever);
  return "(?i:(?:IPv6:|)" + ipv6Body(forms) + ")";
}
std::string ipForm(IpForms forms) {
  return "(?:" + ipv4Form() + "|" + ipv6Form(forms) + ")";
}

// The first IP_ADDRESS anywhere in the text, as SpamAssassin's unanchored search finds it (the
// leftmost position, then IPv4 before IPv6): the byte before the address is matched too, so that
// the lookbehinds become classes. The address is group 1 (aliases 2 to 5); `after_ipv4` and
// `after_ipv6` demand what the pattern's own continuation and the lookahead need of the bytes
// that follow each form.
std::string leadingIp(std::string_view after_ipv4, std::string_view after_ipv6, IpForms forms) {
  const std::string v4 = "(" + ipv4Form() + ")" + std::string(after_ipv4);
  const std::string v6 = "(" + ipv6Form(forms) + ")" + std::string(after_ipv6);
  return "^(?:" + v4 + "|" + v6 + "|(?s:.*?)(?:[^\\w:]" + v4 + "|" + std::string(kNotIpv6Byte) +
         v6 + "|[a-fA-F0-9:]((?i:IPv6:)" + ipv6Body(forms) + ")" + std::string(after_ipv6) + "))";
}
constexpr std::initializer_list<std::pair<int, int>> kLeadingIpAliases = {
    {1, 2}, {1, 3}, {1, 4}, {1, 5}};

// The IPv6 spellings of the loopback address, and of an IPv4-mapped prefix (then an IPv4 part).
constexpr std::string_view kMappedPrefix =
    R"re((?:(?:0{1,4}:){5}ffff:|::(?:0{1,4}:){0,4}ffff:|(?:0{1,4}:){1,4}:ffff:|)re"
    R"re(0{1,4}::(?:0{1,4}:){1,3}ffff:|(?:0{1,4}:){2}:0{1,2}:ffff:|(?:0{1,4}:){3}:0:ffff:|)re"
    R"re((?:0{1,4}:){4}:ffff:))re";
constexpr std::string_view kLoopback6 =
    R"re((?:(?:0{1,4}:){7}0{0,3}1|:(?::0{1,4}){0,6}:0{0,3}1|0{1,4}:(?::0{1,4}){0,5}:0{0,3}1|)re"
    R"re((?:0{1,4}:){2}(?::0{1,4}){0,4}:0{0,3}1|(?:0{1,4}:){3}(?::0{1,4}){0,3}:0{0,3}1|)re"
    R"re((?:0{1,4}:){4}(?::0{1,4}){0,2}:0{0,3}1|(?:0{1,4}:){5}(?::0{1,4}){0,1}:0{0,3}1|)re"
    R"re((?:0{1,4}:){6}:0{0,3}1))re";
constexpr std::string_view kPrivate4 =
    R"re((?:10|127|169\.254|172\.(?:1[6-9]|2[0-9]|3[01])|192\.168|)re"
    R"re(100\.(?:6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7]))\..*)re";

// `text` begins with a decimal number in [low, high] (no leading zero) and a '.': moves past both.
bool takeNumber(std::string_view& text, int low, int high) {
  size_t digits = 0;
  int value = 0;
  while (digits < text.size() && digits < 3 && text[digits] >= '0' && text[digits] <= '9') {
    value = value * 10 + (text[digits++] - '0');
  }
  if (digits == 0 || digits >= text.size() || text[digits] != '.') return false;
  if ((digits > 1 && text[0] == '0') || value < low || value > high) return false;
  text.remove_prefix(digits + 1);
  return true;
}

// kPrivate4 at the start of the text, read without a regex: its `.*` matches the empty string, so
// the prefix decides. For texts without ':', where privatePattern(false, ...) has nothing else.
bool hasPrivateIpv4Prefix(std::string_view ip) {
  auto begins = [ip](int first, int low, int high) {
    std::string_view rest = ip;
    return takeNumber(rest, first, first) && (low == 0 || takeNumber(rest, low, high));
  };
  return begins(10, 0, 0) || begins(127, 0, 0) || begins(169, 254, 254) || begins(172, 16, 31) ||
         begins(192, 168, 168) || begins(100, 64, 127);
}

// LOCALHOST, for places where the bytes around it satisfy its lookarounds (as for {IP}).
std::string localhostPattern(IpForms forms) {
  const std::string ipv6 = forms == IpForms::Ipv4Only
                               ? std::string(kNever)
                               : "(?:IPv6:|)(?:" + std::string(kMappedPrefix) + "127\\.0\\.0\\.1|" +
                                     std::string(kLoopback6) + ")";
  return "(?i:localhost(?:\\.localdomain)?|\\b127\\.0\\.0\\.1\\b|" + ipv6 + ")";
}

// IP_PRIVATE at the start of the text. Its closing lookahead only matters after the loopback
// form (the others end in `.*`, which reaches a byte it allows); when `whole`, the text must end
// there, which satisfies it.
std::string privatePattern(bool whole, IpForms forms) {
  const std::string loopback_end = whole ? "" : "(?:$|" + std::string(kNotIpv6Byte) + ")";
  const std::string ipv6 = forms == IpForms::Ipv4Only
                               ? std::string(kNever)
                               : "(?:IPv6:|)(?:" + std::string(kMappedPrefix) +
                                     std::string(kPrivate4) + "|fe[89ab][0-9a-f]:.*|" +
                                     std::string(kLoopback6) + loopback_end + ")";
  return "^(?i:" + std::string(kPrivate4) + "|" + ipv6 + ")" + (whole ? "$" : "");
}

// `pattern` with {IP}, {IP4}, {IP6} and {LOCALHOST} spelled out.
std::string expand(std::string_view pattern, IpForms forms) {
  const std::string ip = ipForm(forms), ip4 = ipv4Form(), ip6 = ipv6Form(forms),
                    localhost = localhostPattern(forms);
  const std::pair<std::string_view, const std::string*> macros[] = {
      {"{IP}", &ip}, {"{IP4}", &ip4}, {"{IP6}", &ip6}, {"{LOCALHOST}", &localhost}};
  std::string out;
  for (size_t i = 0; i < pattern.size();) {
    bool expanded = false;
    for (const auto& [name, text] : macros) {
      if (pattern.substr(i, name.size()) != name) continue;
      out += *text;
      i += name.size();
      expanded = true;
      break;
    }
    if (!expanded) out += pattern[i++];
  }
  return out;
}

// A pattern's text for each IpForms: macros expanded, or built by a function.
using PatternSource = std::function<std::string(IpForms)>;

PatternSource withMacros(std::string_view pattern) {
  return [pattern](IpForms forms) { return expand(pattern, forms); };
}

constexpr int kMaxGroups = 10;  // group 0 (the whole match) and nine captures

// The groups of one match: views into the text searched, null when a group took no part.
using Groups = std::array<re2::StringPiece, kMaxGroups>;

re2::RE2::Options patternOptions(bool icase) {
  re2::RE2::Options options;
  options.set_encoding(re2::RE2::Options::EncodingLatin1);  // bytes, as SpamAssassin's are
  options.set_case_sensitive(!icase);
  return options;
}

// The longest run of bytes that every match of `pattern` contains, read off its top level (outside
// groups and classes; none when the top level has an alternation), and whether that run is the
// whole pattern. Conservative: escapes of letters and digits, and anything after them up to the
// next non-alphanumeric byte, only end runs.
struct RequiredLiteral {
  std::string bytes;
  bool whole = false;
};

RequiredLiteral requiredLiteral(std::string_view pattern) {
  RequiredLiteral best;
  std::string run;
  bool plain = true;  // the top level is nothing but literal bytes
  auto endRun = [&] {
    if (run.size() > best.bytes.size()) best.bytes = run;
    run.clear();
  };
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  int depth = 0;
  for (size_t i = 0; i < pattern.size();) {
    const char c = pattern[i];
    if (c == '[') {  // a class: skip to its end
      size_t j = i + 1;
      if (j < pattern.size() && pattern[j] == '^') ++j;
      if (j < pattern.size() && pattern[j] == ']') ++j;
      while (j < pattern.size() && pattern[j] != ']') j += pattern[j] == '\\' ? 2 : 1;
      i = j + 1;
      if (depth == 0) endRun(), plain = false;
      continue;
    }
    if (c == '(' || c == ')') {
      depth += c == '(' ? 1 : -1;
      ++i;
      endRun(), plain = false;
      continue;
    }
    if (depth > 0) {
      i += c == '\\' ? 2 : 1;
      continue;
    }
    if (c == '|') return {};
    char literal = c;
    size_t next = i + 1;
    if (c == '\\') {
      if (i + 1 >= pattern.size() || alnum(pattern[i + 1])) {
        for (i += 2; i < pattern.size() && alnum(pattern[i]);) ++i;
        endRun(), plain = false;
        continue;
      }
      literal = pattern[i + 1];
      next = i + 2;
    } else if (c == '{') {  // a counted repetition
      i = std::min(pattern.find('}', i), pattern.size()) + 1;
      endRun(), plain = false;
      continue;
    } else if (std::string_view("^$.?*+").find(c) != std::string_view::npos) {
      ++i;
      endRun(), plain = false;
      continue;
    }
    const char after = next < pattern.size() ? pattern[next] : '\0';
    if (after == '?' || after == '*' || after == '{') {
      endRun(), plain = false;  // an optional byte
    } else {
      run += literal;
      if (after == '+') endRun(), plain = false;
    }
    i = next;
  }
  endRun();
  best.whole = plain;
  return best;
}

// A fixed pattern in RE2's syntax (Perl's, without lookarounds), compiled once; matched in time
// linear in the text, with Perl's leftmost-first choice of the match and of its captures. A text
// without the pattern's required literal, or that begins otherwise than an anchored pattern
// demands (received_anchor.h), is rejected before RE2 runs.
class Pattern {
 public:
  // `aliases`: (group, alias) pairs, for a pattern that spells one capture in several
  // alternatives: when `group` took no part, it reports the alias's text.
  explicit Pattern(std::string_view pattern, bool icase = false,
                   std::initializer_list<std::pair<int, int>> aliases = {})
      : Pattern(withMacros(pattern), icase, aliases) {}

  Pattern(const PatternSource& source, bool icase,
          std::initializer_list<std::pair<int, int>> aliases)
      : re_(source(IpForms::All), patternOptions(icase)),
        groups_(std::min(re_.NumberOfCapturingGroups() + 1, kMaxGroups)),
        aliases_(aliases),
        start_(icase ? std::string_view() : re_.pattern()) {
    if (!icase) literal_ = requiredLiteral(re_.pattern());
    if (std::string ipv4_only = source(IpForms::Ipv4Only); ipv4_only != re_.pattern())
      without_colon_ = std::make_unique<re2::RE2>(ipv4_only, patternOptions(icase));
  }

  bool search(std::string_view text, Groups* groups = nullptr) const {
    if (!start_.admits(text)) return false;
    if (!literal_.bytes.empty()) {
      const size_t at = text.find(literal_.bytes);
      if (at == std::string_view::npos) return false;
      if (literal_.whole) {
        if (groups) {
          groups->fill(re2::StringPiece());
          (*groups)[0] = re2::StringPiece(text.data() + at, literal_.bytes.size());
        }
        return true;
      }
    }
    const re2::RE2& re =
        without_colon_ && text.find(':') == std::string_view::npos ? *without_colon_ : re_;
    const re2::StringPiece piece(text.data(), text.size());
    if (!groups) return re.Match(piece, 0, piece.size(), re2::RE2::UNANCHORED, nullptr, 0);
    if (!re.Match(piece, 0, piece.size(), re2::RE2::UNANCHORED, groups->data(), groups_)) {
      return false;
    }
    std::fill(groups->begin() + groups_, groups->end(), re2::StringPiece());
    for (const auto& [group, alias] : aliases_) {
      if ((*groups)[group].data() == nullptr) (*groups)[group] = (*groups)[alias];
    }
    return true;
  }

 private:
  re2::RE2 re_;
  // The pattern without its IPv6 alternatives, for texts without a ':' (see IpForms); null when
  // the pattern has none.
  std::unique_ptr<re2::RE2> without_colon_;
  int groups_;
  std::vector<std::pair<int, int>> aliases_;
  RequiredLiteral literal_;
  AnchoredStart start_;
};

std::string_view view(const re2::StringPiece& piece) {
  return std::string_view(piece.data(), piece.size());
}

// A text as Perl's `$` sees it: before one final newline.
std::string_view beforeFinalNewline(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  return text;
}

// Perl's truth of a string: neither empty nor "0".
bool truthy(std::string_view s) {
  return !s.empty() && s != "0";
}

// Replaces the bytes SpamAssassin strips from relay fields with '!'.
void markStripped(std::string& s) {
  static const auto stripped = [] {
    std::array<bool, 256> table{};
    for (unsigned char c : std::string_view("\0#[]()<>|", 10)) table[c] = true;
    for (int c = 0; c < 256; ++c) table[c] = table[c] || isAsciiSpace(static_cast<char>(c));
    return table;
  }();
  for (char& c : s) {
    if (stripped[static_cast<unsigned char>(c)]) c = '!';
  }
}

std::string cleanEnvelope(std::string s) {
  size_t start = 0;
  while (start < s.size() && isAsciiSpace(s[start])) ++start;
  while (start < s.size() && s[start] == '<') ++start;
  s.erase(0, start);
  size_t end = s.size();
  while (end > 0 && isAsciiSpace(s[end - 1])) --end;
  while (end > 0 && s[end - 1] == '>') --end;
  s.resize(end);
  markStripped(s);
  return s;
}

// Removes the first match of `helo=(\S+)` / `ident=(\S*)` from `sub`, returning the capture.
bool takeSub(std::string& sub, std::string_view key, bool allow_empty, std::string& out) {
  for (size_t at = sub.find(key); at != std::string::npos; at = sub.find(key, at + 1)) {
    size_t end = at + key.size();
    while (end < sub.size() && !isAsciiSpace(sub[end])) ++end;
    if (!allow_empty && end == at + key.size()) continue;  // \S+ needs one byte
    out = sub.substr(at + key.size(), end - at - key.size());
    sub.erase(at, end - at);
    return true;
  }
  return false;
}

// One parse: the normalised field and the relay's fields as SpamAssassin's sequence of formats
// fills them in.
class ReceivedParser {
 public:
  // `shortcuts`: read the simple fields and the common forms by plain scanning
  // (received_scan.h, received_forms.h) rather than by the patterns; the result is the same.
  ReceivedParser(std::string_view value, bool shortcuts) : shortcuts_(shortcuts) {
    normalise(value);
  }

  ReceivedParse parse();

 private:
  enum class Step { Enough, Skip, Next };

  bool find(const Pattern& p) { return p.search(s_, &m_); }
  std::string group(int i) const { return std::string(view(m_[i])); }
  // The scanner's answer when shortcuts are on, else the pattern's group 1.
  std::optional<std::string> field(const std::optional<std::string_view>& scanned,
                                   const Pattern& p) {
    if (shortcuts_) return scanned ? std::optional<std::string>(*scanned) : std::nullopt;
    return find(p) ? std::optional<std::string>(group(1)) : std::nullopt;
  }

  void normalise(std::string_view value);
  void readCommonFields();
  void readAuth();
  bool readCommonForm();
  Step fromBranch();
  Step eximForms();
  Step qmailForms();
  Step skipForms();
  ReceivedParse finish();

  void subFields(std::string sub) {
    std::string value;
    if (takeSub(sub, "helo=", false, value)) helo_ = value;
    if (takeSub(sub, "ident=", true, value)) ident_ = value;
  }

  const bool shortcuts_;
  std::string s_;
  Groups m_;
  std::string ip_, helo_, rdns_, by_, id_, ident_, auth_;
  std::optional<std::string> envfrom_;
  bool looked_up_dns_ = false;
  ReceivedParse result_;
};

void ReceivedParser::normalise(std::string_view value) {
  value = value.substr(0, kMaxValueLength);
  s_.resize(value.size());
  static const auto spaces = [] {
    std::array<bool, 256> table{};
    for (int c = 0; c < 256; ++c) table[c] = isAsciiSpace(static_cast<char>(c));
    return table;
  }();
  char* const out_start = s_.data();
  char* out = out_start;
  bool after_space = true;  // drops leading white space
  for (char c : value) {
    const bool space = spaces[static_cast<unsigned char>(c)];
    *out = space ? ' ' : c;
    out += !(space && after_space);
    after_space = space;
  }
  s_.resize(static_cast<size_t>(out - out_start));
  if (!s_.empty() && s_.back() == ' ') s_.pop_back();
  while (!s_.empty() && s_.back() == ';') {
    s_.pop_back();
    if (!s_.empty() && s_.back() == ' ') s_.pop_back();
  }
}

void ReceivedParser::readCommonFields() {
  static const Pattern date(
      R"re([\s;]+(?:(?:Mon|T(?:ue|hu)|Wed|Fri|S(?:at|un)), )?\d+ )re"
      R"re((?:J(?:an|u[nl])|Feb|Ma[ry]|A(?:pr|ug)|Sep|Oct|Nov|Dec) \d+ \d+:\d+(?::\d+)? \S+$)re");
  // The date is the last five or six space-separated words, after a run of [\s;]: no match can
  // begin before that run, so only the tail is searched.
  size_t from = s_.size();
  for (int spaces = 0; from > 0 && spaces < 7;) spaces += s_[--from] == ' ' ? 1 : 0;
  while (from > 0 && (isAsciiSpace(s_[from - 1]) || s_[from - 1] == ';')) --from;
  const std::string_view tail = std::string_view(s_).substr(from);
  if (shortcuts_) {
    if (const auto at = received_scan::trailingDate(tail)) s_.erase(from + *at);
  } else if (date.search(tail, &m_)) {
    s_.erase(from + static_cast<size_t>(m_[0].data() - tail.data()));
  }
  if (const size_t at = s_.find(")by "); at != std::string::npos) s_.insert(at + 1, " ");

  static const Pattern id(R"re( id <?([^\s<>;]{3,}))re");
  if (auto found = field(received_scan::queueId(s_), id)) id_ = *found;
  static const Pattern helo_eq(
      R"re(\bhelo=([-A-Za-z0-9\.\^+_&:=?!@%*\$\\\/]+)(?:[^-A-Za-z0-9\.\^+_&:=?!@%*\$\\\/]|$))re");
  static const Pattern helo_word(
      R"re(\b(?:HELO|EHLO) ([-A-Za-z0-9\.\^+_&:=?!@%*\$\\\/]+)(?:[^-A-Za-z0-9\.\^+_&:=?!@%*\$\\\/]|$))re");
  if (auto found = field(received_scan::heloAssignment(s_), helo_eq)) {
    helo_ = *found;
  } else if (auto command = field(received_scan::heloCommand(s_), helo_word)) {
    helo_ = *command;
  }
  static const Pattern by(R"re( by (\S+)(?:[^-A-Za-z0-9\;\.]|$))re");
  if (auto found = field(received_scan::byHost(s_), by)) by_ = *found;
}

void ReceivedParser::readAuth() {
  static const Pattern by(" by ");
  static const Pattern with_auth(
      R"re( with ((?:ES|L|UTF8S|UTF8L)MTPS?A|ASMTP|HTTP[SU]?)(?: |;|$))re", true);
  static const Pattern gmail(
      R"re( by mx\.google\.com with ESMTPS id [a-z0-9]{1,4}sm[0-9]{2,9}[a-z]{3}\.[0-9]{1,3}\.)re"
      R"re([0-9]{4}\.(?:[0-6][0-9]\.){4}[0-6][0-9])re");
  static const Pattern gmail_tls(R"re(\(version=([^ ]+) cipher=([^\)]+)\))re");
  static const Pattern courier(
      R"re(^from .*?(?:\]\)|\)\]) \(AUTH: (LOGIN|PLAIN|DIGEST-MD5|CRAM-MD5) \S+(?:, .*?)?\) by )re");
  static const Pattern authenticated("authenticated");
  static const Pattern sendmail(
      R"re(^from .*?(?:\](?: \([^)]*\))?\)|\)\]) .*?\(.*?authenticated.*?\).*? by)re");
  static const Pattern gmx(
      R"re(from \S* \((?:HELO|EHLO) (\S*)\) \[({IP})\] by (mail\.gmx\.(?:net|com)) \([^\)]+\) )re"
      R"re(with ((?:ESMTP|SMTP)))re");
  static const Pattern authenticated_as(" \\(authenticated as ");
  static const Pattern critical_path(
      R"re(\) by .+ \(\d{1,2}\.\d\.\d{3}(?:\.\d{1,3})?\) \(authenticated as .+\) id )re");
  static const Pattern postfix(R"re(\) \(Authenticated sender: \S+\) by \S+ \(([^\)]+)\) with )re");
  static const Pattern communigate("CommuniGate Pro (HTTP|SMTP|XIMSS|IMAP)");
  static const Pattern account(" \\(account ");
  static const Pattern http_dav(R"re( with Microsoft Exchange Server HTTP-DAV\b)re");
  static const Pattern via_http(R"re( \(via (HTTP.?)\)(?: |;|$))re", true);

  const bool has_by = find(by);
  if (has_by && find(with_auth)) {
    auth_ = group(1);
  } else if (find(gmail) && find(gmail_tls)) {
    auth_ = "GMail - transport=" + group(1) + " cipher=" + group(2);
  } else if (find(courier)) {
    auth_ = group(1);
  } else if (find(authenticated) && find(sendmail)) {
    auth_ = "Sendmail";
  } else if (find(gmx)) {
    auth_ = "GMX (" + group(4) + " / " + group(3) + ")";
  } else if (find(authenticated_as) && find(critical_path)) {
    auth_ = "CriticalPath";
  } else if (find(postfix)) {
    auth_ = group(1) == "Postfix" ? group(1) : "Postfix (" + group(1) + ")";
  } else if (find(communigate) && find(account)) {
    auth_ = "Communigate";
  } else if (find(http_dav)) {
    auth_ = "HTTP-DAV";
  } else if (has_by && find(via_http)) {
    auth_ = group(1);
  }
}

ReceivedParser::Step ReceivedParser::eximForms() {
  static const Pattern local(R"re(\bwith local(?:-\S+)? )re");
  static const Pattern bracket_first(R"re(^\[({IP})\] \((.*?)\) by (\S+) )re");
  static const Pattern rdns_bracket(R"re(^(\S+) \(\[({IP})\](.*?)\) by (\S+) )re");
  static const Pattern rdns_bare(R"re(^(\S+) \[({IP})\](:\d+)? by (\S+) )re");
  static const Pattern first_word(R"re(^(\S+) )re");
  static const Pattern paren_word(R"re( \((\S+)\) )re");
  static const Pattern ip_port(R"re( \[({IP})(?:\.\d+)?\] )re");
  static const Pattern by_word(R"re(by (\S+) )re");
  if (find(local)) return Step::Skip;
  if (find(bracket_first)) {
    ip_ = group(1), by_ = group(3);
    subFields(group(2));
    return Step::Enough;
  }
  if (find(rdns_bracket)) {
    rdns_ = group(1), ip_ = group(2), by_ = group(4);
    helo_ = rdns_;
    subFields(group(3));
    return Step::Enough;
  }
  if (find(rdns_bare)) {
    rdns_ = group(1), ip_ = group(2), helo_ = group(1), by_ = group(4);
    return Step::Enough;
  }
  if (find(first_word)) rdns_ = group(1);
  if (find(paren_word)) helo_ = group(1);
  if (find(ip_port)) ip_ = group(1);
  if (find(by_word)) {
    by_ = group(1);
    if (truthy(ip_)) return Step::Enough;
  }
  return Step::Next;
}

ReceivedParser::Step ReceivedParser::qmailForms() {
  static const Pattern qmail(
      R"re(^\S+( \((?:HELO|EHLO) \S*\))? \((\S+\@)?\[?{IP}\]?\)( \(envelope-sender <\S+>\))? )re"
      R"re(by \S+( \(.+\))* with (.* )?(SMTP|QMQP)(?:$|[^ ]| (?:$|[^i]|i(?:$|[^d]|d(?:$|[^ ])))))re");
  if (!find(qmail)) return Step::Next;
  static const Pattern helo_ident(
      R"re(^(\S+) \((?:HELO|EHLO) ([^ \(\)]*)\) \((\S*)\@\[?({IP})\]?\)( \(envelope-sender )re"
      R"re(<\S+>\))? by (\S+))re");
  static const Pattern helo_only(
      R"re(^(\S+) \((?:HELO|EHLO) ([^ \(\)]*)\) \(\[?({IP})\]?\)( \(envelope-sender <\S+>\))? )re"
      R"re(by (\S+))re");
  static const Pattern ident_only(
      R"re(^(\S+) \((\S*)\@\[?({IP})\]?\)( \(envelope-sender <\S+>\))? by (\S+))re");
  static const Pattern bare(R"re(^(\S+) \(\[?({IP})\]?\)( \(envelope-sender <\S+>\))? by (\S+))re");
  if (find(helo_ident)) {
    rdns_ = group(1), helo_ = group(2), ident_ = group(3), ip_ = group(4), by_ = group(6);
  } else if (find(helo_only)) {
    rdns_ = group(1), helo_ = group(2), ip_ = group(3), by_ = group(5);
  } else if (find(ident_only)) {
    helo_ = rdns_ = group(1), ident_ = group(2), ip_ = group(3), by_ = group(5);
  } else if (find(bare)) {
    helo_ = rdns_ = group(1), ip_ = group(2), by_ = group(4);
  }
  if (rdns_ != "unknown") {
    looked_up_dns_ = true;
  } else {
    rdns_.clear();
  }
  return Step::Enough;
}

ReceivedParser::Step ReceivedParser::skipForms() {
  static const Pattern patterns[] = {
      Pattern(R"re(^\S+ \([^\s\@]+\@{LOCALHOST}\) by \S+ \()re"),
      Pattern(R"re(^\S+ \S+ by \S+ with local-e?smtp )re"),
      Pattern(R"re(^127\.0\.0\.1 \(AVG SMTP \S+ \[\S+\]\))re"),
      Pattern(R"re(^\S+\@\S+ by \S+ by uid \S+ )re"),
      Pattern(R"re(^\S+\@\S+ by \S+ )re"),
      Pattern(R"re(^Unknown\/Local \()re"),
      Pattern(R"re(^{LOCALHOST} \((?:\S+\@)?{LOCALHOST}[\)\[])re"),
      Pattern(R"re(^\S+ \((?:\S+\@)?{LOCALHOST}\) )re"),
      Pattern(R"re(^\S+ \(\S+\@\S+ \[{LOCALHOST}\]\) )re"),
      Pattern(R"re(^\(AUTH: \S+\) by \S+ with )re"),
      Pattern(R"re(^localhost \(localhost \[\[UNIX: localhost\]\]\) by )re"),
      Pattern(R"re(^\S+\.amazon\.com by \S+\.amazon\.com with ESMTP \(peer crosscheck: )re"),
      Pattern(R"re(^[^\.]+ by \S+ with Novell_GroupWise)re"),
      Pattern(R"re(^no\.name\.available by \S+ via smtpd \(for )re"),
  };
  for (const auto& p : patterns) {
    if (find(p)) return Step::Skip;
  }
  static const Pattern qmail_scanner(R"re(^\S+ by \S+ \(.{0,100}\) with qmail-scanner)re");
  if (find(qmail_scanner)) {
    result_.qmail_scanner = true;
    if (envfrom_) result_.qmail_scanner_envfrom = cleanEnvelope(*envfrom_);
    return Step::Skip;
  }
  static const Pattern later[] = {
      Pattern(R"re(^\S+ by \S+ with local)re"),
      Pattern(
          R"re(^\S+ \(\[unix socket\]\) by \S+ \(Cyrus v[0-9]*?\.[0-9]*?\.[0-9]*?\) with LMTPA)re"),
      Pattern(R"re(^\S+ by \S+ (?:with|via|for|\())re"),
      Pattern(R"re(^\S+ (?:(?:with|via|for) \S+|\(unverified\)) by\b)re"),
      Pattern(R"re(^\S+ \(unknown\) by \S+ \(SG\) with \b)re"),
      Pattern(R"re(^\S+ \(\S+ \[local\]\) by \S+ \(OpenSMTPD\) with \b)re"),
      Pattern(R"re(\(LSMTP for)re"),
      Pattern(R"re(^\(\[{LOCALHOST}\]\) with MailEnable )re"),
      Pattern(R"re(^facebook\.com \([^\)]+\) by facebook\.com with Thrift id \S+$)re"),
      Pattern(R"re(^\S+ named \S+ by gmailapi\.google\.com with HTTPREST$)re"),
      Pattern(R"re(^\S+ id \S+$)re"),
      Pattern(R"re(^\[<.*? \(Jetsend)re"),
  };
  for (const auto& p : later) {
    if (find(p)) return Step::Skip;
  }
  return Step::Next;
}

// The formats of "from ..." fields, in SpamAssassin's order (the first that fits wins).
ReceivedParser::Step ReceivedParser::fromBranch() {
  static const Pattern envelope(R"re((?:return-path:? |envelope-(?:sender|from)[ =])(\S+)\b)re",
                                true);
  if (find(envelope)) envfrom_ = group(1);

  static const Pattern squirrel(R"re( \((?:SquirrelMail|NaSMail) authenticated user )re");
  // SpamAssassin's ({IP})\b(?![.-]).{10,80}by (\S+) with HTTP.
  static const Pattern squirrel_form(
      [](IpForms forms) {
        return leadingIp("[^.\\-\\n]", "\\b[^a-fA-F0-9:.\\-\\n]", forms) +
               R"re(.{9,79}by (\S+) with HTTP)re";
      },
      false, kLeadingIpAliases);
  if (find(squirrel) && find(squirrel_form)) {
    ip_ = group(1), by_ = group(6);
    return Step::Enough;
  }
  static const Pattern aol(R"re(aol\.com)re");
  static const Pattern aol_webmail(R"re(with HTTP \(WebMailUI\))re");
  // SpamAssassin's ({IP}) by (\S+) \({IP}\) with HTTP \(WebMailUI\).
  static const Pattern aol_form(
      [](IpForms forms) {
        return leadingIp("", "", forms) +
               expand(R"re( by (\S+) \({IP}\) with HTTP \(WebMailUI\))re", forms);
      },
      false, kLeadingIpAliases);
  if (find(aol) && find(aol_webmail) && find(aol_form)) {
    ip_ = group(1), by_ = group(6);
    return Step::Enough;
  }

  static const Pattern smtpsvc(" SMTPSVC");
  static const Pattern ms_exchange(
      R"re( with (?:Microsoft SMTP Server|mapi id) (?:\([^\)]+\) )?\d+\.\d+\.\d+\.\d+(?:$| ))re");
  static const Pattern xmail(R"re(\[XMail )re");
  static const Pattern ecelerity(R"re(\(ecelerity\b)re");
  static const Pattern exim("Exim");
  static const Pattern postfix(R"re( \(Postfix\) with)re");
  static const Pattern scalix(R"re(\(Scalix SMTP Relay)re");
  static const Pattern domino(R"re( \(Lotus Domino )re");
  if (find(smtpsvc)) {
    static const Pattern form(
        R"re(^(\S*) \(\[({IP})\][^\)]{0,40}\) by (\S+) with Microsoft SMTPSVC)re");
    static const Pattern pickup(R"re(^mail pickup service by (\S+) with Microsoft SMTPSVC$)re");
    if (find(form)) {
      helo_ = group(1), ip_ = group(2), by_ = group(3);
      return Step::Enough;
    }
    if (find(pickup)) return Step::Skip;
  } else if (find(ms_exchange)) {
    static const Pattern form(R"re(^(\S+) \(\[?({IP})(?:%[A-Z0-9._~-]*)?\]?\) by (\S+) )re");
    if (find(form)) {
      helo_ = group(1), ip_ = group(2), by_ = group(3), id_.clear();
      return Step::Enough;
    }
  } else if (find(xmail)) {
    static const Pattern form(
        R"re(^(\S+) \((\[?(?:{IP4}\]?|{IP6}\]))(?::\d+)\) by (\S+)(?: \(\S+\))? with \[XMail)re");
    static const Pattern xmail_id(R"re( id <(\S+)>)re");
    static const Pattern xmail_from(R"re( from <(\S+)>)re");
    if (find(form)) {
      helo_ = group(1), ip_ = group(2), by_ = group(3);
      if (find(xmail_id)) id_ = group(1);
      if (find(xmail_from)) envfrom_ = group(1);
      return Step::Enough;
    }
  } else if (find(ecelerity)) {
    // ({IP}):\d+ : an IPv6 address may not be followed by ':'.
    static const Pattern with_helo(R"re(^\(\[({IP4}):\d+\] helo=(\S+)\) by (\S+) )re");
    static const Pattern without(R"re(^\S+ \(\[({IP4}):\d+\]\) by (\S+) )re");
    if (find(with_helo)) {
      ip_ = group(1), helo_ = group(2), by_ = group(3);
      return Step::Enough;
    }
    if (find(without)) {
      ip_ = group(1), by_ = group(2);
      return Step::Enough;
    }
  } else if (find(exim)) {
    if (Step step = eximForms(); step != Step::Next) return step;
  } else if (find(postfix)) {
    static const Pattern spaced(R"re(^(\S+) \((\S+) \[({IP})\]\) by (\S+) )re");
    static const Pattern joined(R"re(^(\S+) \((\S+)\[({IP})\]\) by (\S+) )re");
    if (find(spaced) || find(joined)) {
      looked_up_dns_ = true;
      helo_ = group(1), rdns_ = group(2), ip_ = group(3), by_ = group(4);
      if (rdns_ == "unknown") rdns_.clear();
      return Step::Enough;
    }
  } else if (find(scalix)) {
    static const Pattern form(R"re(^(\S+) \( ?({IP})\) by (\S+))re");
    if (find(form)) {
      helo_ = group(1), ip_ = group(2), by_ = group(3);
      return Step::Enough;
    }
  } else if (find(domino)) {
    static const Pattern form(R"re(^(\S+) \(\[({IP})\]\) by (\S+) \(Lotus)re");
    if (find(form)) {
      looked_up_dns_ = false;
      helo_ = group(1), ip_ = group(2), by_ = group(3);
      return Step::Enough;
    }
  }

  static const Pattern with_http(R"re(\bwith HTTP\b)re");
  static const Pattern http_numeric(R"re(^({IP}) \(\[{IP}\]\) by (\S+))re");
  if (find(with_http) && find(http_numeric)) {
    ip_ = group(1), by_ = group(2);
    return Step::Enough;
  }

  static const Pattern qmail_ldap(R"re( by \S+ \(qmail-\S+\) with )re");
  static const Pattern sendmail(R"re(^(\S+) \((\S+) \[({IP})\].*\) by (\S+) \()re");
  if (!find(qmail_ldap) && find(sendmail)) {
    looked_up_dns_ = true;
    helo_ = group(1), rdns_ = group(2), ip_ = group(3), by_ = group(4);
    if (rdns_.rfind("IDENT:", 0) == 0 && rdns_.find('@') != std::string::npos) {
      const size_t at = rdns_.find('@');
      ident_ = rdns_.substr(6, at - 6);
      rdns_.erase(0, at + 1);
    }
    if (const size_t at = rdns_.find('@'); at != std::string::npos) {
      ident_ = rdns_.substr(0, at);
      rdns_.erase(0, at + 1);
    }
    return Step::Enough;
  }

  // Forms with captures: (pattern, helo, rdns, ip, by, ident groups; 0 = not in the form),
  // whether the MTA looks rDNS up. Tried in order until the qmail forms.
  struct Form {
    Pattern pattern;
    int helo, rdns, ip, by, ident;
    bool looked_up;
  };
  static const Form early[] = {
      {Pattern(R"re(^(\S+) \((\S+) \[({IP})\]\) by (\S+) with \S+ \()re"), 1, 2, 3, 4, 0, true},
      {Pattern(R"re(^(\S+) \(\[({IP})\] helo=(\S+)\) by (\S+) with )re"), 3, 1, 2, 4, 0, false},
      {Pattern(R"re(^(\S+) \(<unknown\S*>\[({IP})\]\) by (\S+) )re"), 1, 0, 2, 3, 0, false},
      {Pattern(R"re(^(\S+) \((\S+\.\S+)\[({IP})\]\) by (\S+) )re"), 1, 2, 3, 4, 0, true},
      {Pattern(R"re(^(\S+) \((\S*)\@\[({IP})\].*\) by (\S+) \()re"), 1, 0, 3, 4, 2, true},
  };
  for (const auto& form : early) {
    if (!find(form.pattern)) continue;
    if (form.looked_up) looked_up_dns_ = true;
    if (form.helo) helo_ = group(form.helo);
    if (form.rdns) rdns_ = group(form.rdns);
    if (form.ident) ident_ = group(form.ident);
    ip_ = group(form.ip), by_ = group(form.by);
    return Step::Enough;
  }
  static const Pattern hotmail(R"re(by (\S+\.hotmail\.msn\.com) )re");
  static const Pattern leading_ip(R"re(^({IP}) )re");
  if (find(hotmail)) {
    by_ = group(1);
    if (find(leading_ip)) ip_ = group(1);
    return Step::Enough;
  }
  static const Form middle[] = {
      {Pattern(R"re(^(\S+) \((?:HELO|EHLO) (\S*)\) \(({IP})\) by (\S+) \(qpsmtpd\/\S+\) )re"
               R"re(with (?:ESMTP|SMTP))re"),
       2, 1, 3, 4, 0, false},
      {Pattern(R"re(^(\S+) \(LHLO (\S*)\) \(({IP})\) by (\S+) with LMTP)re"), 2, 1, 3, 4, 0, false},
      {Pattern(R"re(^(\S+) \((?:HELO|EHLO) (\S*)\) \[({IP})\] by (\S+) \([^\)]+\) )re"
               R"re(with (?:ESMTP|SMTP))re"),
       2, 1, 3, 4, 0, false},
      {Pattern(R"re(^(\S+) \(\[({IP})\]\) by (\S+) via smtpd \(for \S+\) with SMTP\()re"), 1, 0, 2,
       3, 0, false},
  };
  for (const auto& form : middle) {
    if (!find(form.pattern)) continue;
    if (form.helo) helo_ = group(form.helo);
    if (form.rdns) rdns_ = group(form.rdns);
    ip_ = group(form.ip), by_ = group(form.by);
    return Step::Enough;
  }
  if (qmailForms() == Step::Enough) return Step::Enough;

  static const Pattern via_http(R"re( via HTTP$)re");
  static const Pattern yahoo_http(R"re(^\[({IP})\] by (\S+) via HTTP$)re");
  if (find(via_http) && find(yahoo_http)) {
    ip_ = group(1), by_ = group(2);
    return Step::Enough;
  }
  static const Form late[] = {
      {Pattern(R"re(^(\S+) \( \[({IP})\]\).*? by (\S+) )re"), 0, 0, 2, 3, 0, false},
      {Pattern(R"re(^\((\S+) \[({IP})\]\) by (\S+) )re"), 1, 0, 2, 3, 0, false},
      {Pattern(R"re(^\[({IP})\] by (\S+) )re"), 0, 0, 1, 2, 0, false},
      {Pattern(R"re(^\(\[?({IP})\]?\) by (\S+) )re"), 0, 0, 1, 2, 0, false},
      {Pattern(R"re(^(\S+) \[({IP})\] by (\S+) \[{IP}\] with )re"), 1, 0, 2, 3, 0, true},
      {Pattern(R"re(^(\S+) \[\(({IP})\)\] by (\S+) \({IP}\) )re"), 1, 0, 2, 3, 0, false},
      {Pattern(R"re(^(\S+) \(\[({IP})\]\) by (\S+) \()re"), 1, 0, 2, 3, 0, true},
  };
  for (const auto& form : late) {
    if (!find(form.pattern)) continue;
    if (form.looked_up) looked_up_dns_ = true;
    if (form.helo) helo_ = group(form.helo);
    ip_ = group(form.ip), by_ = group(form.by);
    return Step::Enough;
  }
  static const Pattern sendmail_loose(R"re(^(\S+) \((\S+) \[({IP})\]\).*? by (\S+)\b)re");
  if (find(sendmail_loose)) {
    if (group(2) == "softdnserr") {
      looked_up_dns_ = false;
    } else {
      looked_up_dns_ = true;
      rdns_ = group(2);
    }
    helo_ = group(1), ip_ = group(3), by_ = group(4);
    return Step::Enough;
  }
  static const Form sendmail_more[] = {
      // ({IP})(?:[.:]\d+)? : an IPv6 address may not be followed by ':'.
      {Pattern(R"re(^(\S+) \(\[(?:({IP4})(?:[.:]\d+)?|({IP6})(?:\.\d+)?)\]\).*? by (\S+) )re",
               false, {{2, 3}}),
       1, 0, 2, 4, 0, true},
      {Pattern(R"re(^(\S+) \((\S+) \[({IP})\]\)(?: \(authenticated bits=\d+\))? by (\S+) \()re"), 1,
       2, 3, 4, 0, true},
  };
  for (const auto& form : sendmail_more) {
    if (!find(form.pattern)) continue;
    looked_up_dns_ = true;
    helo_ = group(form.helo);
    if (form.rdns) rdns_ = group(form.rdns);
    ip_ = group(form.ip), by_ = group(form.by);
    return Step::Enough;
  }

  static const Pattern fetcher(R"re(with (?:POP3|IMAP))re");
  if (find(fetcher)) {
    result_.mail_fetcher = true;
    return Step::Skip;
  }

  static const Pattern qmailish_helo(
      R"re(^(\S+) \((?:HELO|EHLO) ([^\)]*)\) \((\S*@)?\[?({IP})\]?\).* by (\S+) )re");
  static const Pattern qmailish(R"re(^(\S+) \((\S*@)?\[?({IP})\]?\).* by (\S+) )re");
  if (find(qmailish_helo)) {
    looked_up_dns_ = true;
    rdns_ = group(1), helo_ = group(2), ident_ = group(3), ip_ = group(4), by_ = group(5);
    if (!ident_.empty() && ident_.back() == '@') ident_.pop_back();
    return Step::Enough;
  }
  if (find(qmailish)) {
    looked_up_dns_ = true;
    rdns_ = group(1), helo_ = rdns_, ident_ = group(2), ip_ = group(3), by_ = group(4);
    if (!ident_.empty() && ident_.back() == '@') ident_.pop_back();
    return Step::Enough;
  }

  static const Pattern http_for(" with http for ");
  static const Pattern outblaze(R"re(^\[({IP})\] by (\S+) with http for )re");
  if (find(http_for) && find(outblaze)) {
    ip_ = group(1), by_ = group(2);
    return Step::Enough;
  }
  static const Pattern via_smap(" via smap ");
  static const Pattern smap(R"re(^(\S+)\(({IP})\) by (\S+) via smap )re");
  if (find(via_smap) && find(smap)) {
    looked_up_dns_ = true;
    rdns_ = group(1), ip_ = group(2), by_ = group(3);
    return Step::Enough;
  }
  static const Pattern smap_helo(R"re(^(\S+)\(({IP}), (?:HELO|EHLO) (\S*)\) by (\S+) via smap )re");
  if (find(smap_helo)) {
    looked_up_dns_ = true;
    rdns_ = group(1), ip_ = group(2), helo_ = group(3), by_ = group(4);
    return Step::Enough;
  }
  static const Pattern post(R"re( \(Post)re");
  static const Pattern post_office(R"re(^\[({IP})\] by (\S+) \(Post)re");
  static const Pattern argo(R"re( \(ArGoSoft)re");
  static const Pattern argo_form(R"re(^\[({IP})\] by (\S+) \(ArGoSoft)re");
  if ((find(post) && find(post_office)) || (find(argo) && find(argo_form))) {
    ip_ = group(1), by_ = group(2);
    return Step::Enough;
  }
  static const Pattern interscan(R"re(^({IP}) by (\S+) \((?:SMTPL|InterScan)\b)re");
  if (find(interscan)) {
    ip_ = group(1), by_ = group(2);
    return Step::Enough;
  }
  static const Pattern bsmtp(" with BSMTP");
  static const Pattern bsmtp_form(R"re(^\S+ by \S+ with BSMTP)re");
  if (find(bsmtp) && find(bsmtp_form)) return Step::Skip;

  static const Pattern spike(R"re(^(\S+) \((\S+) \[({IP})\]\) by (\S+) with )re");
  if (find(spike)) {
    looked_up_dns_ = true;
    helo_ = group(1), rdns_ = group(2), ip_ = group(3), by_ = group(4);
    return Step::Enough;
  }
  // ({IP}).*?\) : what follows an IPv6 address must not extend it.
  static const Pattern yahoo_plain(
      R"re(^(\S+) \((?:HELO|EHLO) (\S*)\) \((?:(\S+)\@)?(?:({IP4}).*?|({IP6})(?:[^a-fA-F0-9:\n].*?)??)\))re"
      R"re( by (\S+) with )re",
      false, {{4, 5}});
  if (find(yahoo_plain)) {
    looked_up_dns_ = true;
    rdns_ = group(1), helo_ = group(2), ip_ = group(4), by_ = group(6);
    if (m_[3].data() != nullptr) ident_ = group(3);
    return Step::Enough;
  }
  static const Pattern communigate_account(
      R"re(^\[({IP})\] \((?:account \S+ )?(?:HELO|EHLO) (\S*)\) by (\S+) \()re");
  if (find(communigate_account)) {
    ip_ = group(1), helo_ = group(2), by_ = group(3);
    return Step::Enough;
  }
  static const Pattern communigate(R"re( \(CommuniGate Pro)re");
  static const Pattern verified(R"re(^(\S+) \(\[({IP})\] verified\) by (\S+) \()re");
  if (find(communigate) && find(verified)) {
    looked_up_dns_ = true;
    rdns_ = group(1), helo_ = group(1), ip_ = group(2), by_ = group(3);
    return Step::Enough;
  }
  static const Form tail[] = {
      {Pattern(R"re(^\(\[({IP})\]\) by (\S+) with )re"), 0, 0, 1, 2, 0, false},
      {Pattern(R"re(^([^\d]\S+) \(({IP})\) by (\S+) )re"), 1, 0, 2, 3, 0, false},
  };
  for (const auto& form : tail) {
    if (!find(form.pattern)) continue;
    if (form.helo) helo_ = group(form.helo);
    ip_ = group(form.ip), by_ = group(form.by);
    return Step::Enough;
  }
  static const Pattern content_technologies(R"re(^\S+ \(\S+\) by \S+ \(Content Technologies )re");
  if (find(content_technologies)) return Step::Skip;
  static const Form rest[] = {
      {Pattern(R"re(^(\S+) \(\[({IP})\] \[(\S+)\]\) by (\S+) with )re"), 1, 0, 2, 4, 0, false},
      {Pattern(R"re(^({IP}) by (\S+) with )re"), 0, 0, 1, 2, 0, false},
      {Pattern(R"re(^(\S+) \((\S+)\[({IP})\]\) by (\S+) )re"), 1, 2, 3, 4, 0, true},
      {Pattern(R"re(^\[({IP})\]\S+ \((?:HELO|EHLO) (\S*)\) by (\S+) )re"), 2, 0, 1, 3, 0, false},
      {Pattern(R"re(^({IP}) \((?:HELO|EHLO) (\S*)\) by (\S+) )re"), 2, 0, 1, 3, 0, false},
      {Pattern(R"re(^(\S+) \[({IP})\] by (\S+) )re"), 1, 0, 2, 3, 0, false},
      {Pattern(R"re(^(\S+)\(({IP})\) by (\S+) )re"), 0, 1, 2, 3, 0, false},
      {Pattern(R"re(^\[({IP})\] by (\S+) \(MailGate )re"), 0, 0, 1, 2, 0, false},
      {Pattern(R"re(^(\S+) \(unverified \[({IP})\]\) by (\S+) )re"), 1, 0, 2, 3, 0, false},
      {Pattern(R"re(^({IP}) \([A-Za-z][^\)]+\) by (\S+) with )re"), 0, 0, 1, 2, 0, false},
  };
  for (const auto& form : rest) {
    if (!find(form.pattern)) continue;
    if (form.looked_up) looked_up_dns_ = true;
    if (form.helo) helo_ = group(form.helo);
    if (form.rdns) rdns_ = group(form.rdns);
    ip_ = group(form.ip), by_ = group(form.by);
    return Step::Enough;
  }
  static const Pattern bracket_sub(R"re(^\[({IP})\] \(([^\)]+)\) by (\S+) )re");
  if (find(bracket_sub)) {
    ip_ = group(1), by_ = group(3);
    subFields(group(2));
    return Step::Enough;
  }
  static const Pattern rdns_at(R"re(^(\S+) \((?:\S+\@)?({IP})\) by (\S+) with )re");
  if (find(rdns_at)) {
    rdns_ = group(1), ip_ = group(2), by_ = group(3);
    return Step::Enough;
  }
  static const Pattern obtuse(
      R"re(^(\S+)\(({IP})\)(?:, claiming to be "(\S+)")? via \S+ by (\S+),)re");
  if (find(obtuse)) {
    rdns_ = group(1), ip_ = group(2), helo_ = group(3), by_ = group(4);
    if (group(1) != "UNKNOWN") looked_up_dns_ = true;
    return Step::Enough;
  }
  static const Pattern yahoo_login(
      R"re(^(\S+) \((\S+)@({IP}) with login\) by (\S+\.yahoo\.com) with SMTP)re");
  if (find(yahoo_login)) {
    helo_ = group(1), ip_ = group(3), by_ = group(4);
    return Step::Enough;
  }
  static const Pattern synthetic(R"re(^X-Originating-IP: ({IP})$)re");
  if (find(synthetic)) {
    ip_ = group(1), by_.clear();
    return Step::Enough;
  }
  if (Step step = skipForms(); step != Step::Next) return step;

  static const Pattern guess_helo(R"re(^(\S+)[^-A-Za-z0-9\.])re");
  if (!truthy(helo_) && find(guess_helo)) helo_ = group(1);
  return Step::Next;
}

ReceivedParse ReceivedParser::parse() {
  static const Pattern from_start(R"re(^\(?from )re", true);
  static const Pattern with_local_for(R"re(\bwith local for\b)re");
  static const Pattern no_ip(R"re(^from (\S+) by [^\s;]+ ?;)re", true);
  static const Pattern bracketed_v4(R"re(^\[[\d.]+\]$)re");
  result_.kind = ReceivedParse::Kind::Skipped;
  const bool from = shortcuts_ ? received_scan::startsWithFrom(s_) : find(from_start);
  if (!from) return result_;
  if (shortcuts_ ? received_scan::saysWithLocalFor(s_) : find(with_local_for)) return result_;
  if (auto name = field(received_scan::hostOnlyFrom(s_), no_ip)) {
    if (!bracketed_v4.search(*name)) return result_;
  }
  readCommonFields();
  if (shortcuts_ && readCommonForm()) {
    return result_.mail_fetcher ? std::move(result_) : finish();
  }
  readAuth();

  Step step = Step::Next;
  if (s_.rfind("from ", 0) == 0) {
    s_.erase(0, 5);
    step = fromBranch();
  } else if (s_.rfind("FROM ", 0) == 0) {
    s_.erase(0, 5);
    static const Pattern simta(
        R"re(^(\S+) \((\S+) \[({IP})\]\) BY (\S+) (?:\([^\)]+\) WITH SMTP )?ID <?(\S+?)>?)re"
        R"re((?: FOR <[^>]+>)?$)re");
    if (find(simta)) {
      looked_up_dns_ = true;
      helo_ = group(1), rdns_ = group(2), ip_ = group(3), by_ = group(4), id_ = group(5);
      if (rdns_ == "unverified") rdns_.clear();
      step = Step::Enough;
    }
  } else if (s_.rfind("(from ", 0) == 0) {
    s_.erase(0, 6);
    static const Pattern navgw(R"re(^(\S*) \[({IP})\]\) by (\S+) \(NAVGW .*?\) with )re");
    static const Pattern submit(R"re(^\S+\@localhost\) by \S+ )re");
    static const Pattern juno(R"re(^[^\s\@]+\@[^)]+\) by \S+\(jqueuemail\) id [^\s;]+)re");
    if (find(navgw)) {
      helo_ = group(1), ip_ = group(2), by_ = group(3);
      step = Step::Enough;
    } else if (find(submit) || find(juno)) {
      step = Step::Skip;
    }
  }
  if (step == Step::Skip) return result_;
  if (step == Step::Next) {
    static const Pattern any_ip(R"re(\[({IP})\])re");
    if (!truthy(ip_) && find(any_ip)) ip_ = group(1);
    if (!truthy(ip_) || !truthy(by_)) {
      result_.kind = ReceivedParse::Kind::Unparseable;
      return result_;
    }
  }
  return finish();
}

// The forms received_forms.h recognises, with the fields the patterns would read from them.
bool ReceivedParser::readCommonForm() {
  const std::optional<CommonForm> form = recogniseCommonForm(s_);
  if (!form) return false;
  if (form->kind == CommonForm::Kind::MailFetcher) {
    result_.mail_fetcher = true;
    return true;
  }
  looked_up_dns_ = form->looked_up_dns;
  helo_ = form->helo, rdns_ = form->rdns, ip_ = form->ip, by_ = form->by;
  ident_ = form->ident, auth_ = form->auth;
  return true;
}

ReceivedParse ReceivedParser::finish() {
  while (!rdns_.empty() && rdns_.back() == '.') rdns_.pop_back();
  if (iequals(rdns_, "unknown")) rdns_.clear();
  if (!rdns_.empty() && rdns_.front() == '[') rdns_.clear();

  if (iequals(std::string_view(ip_).substr(0, 5), "ipv6:")) ip_.erase(0, 5);
  if (!ip_.empty() && ip_.front() == '[') ip_.erase(0, 1);
  if (!ip_.empty() && ip_.back() == ']') ip_.pop_back();
  static const Pattern zone(R"re(%[A-Z0-9._~-]*$)re", true);
  if (const size_t pct = ip_.rfind('%'); pct != std::string::npos) {
    Groups zm;
    if (zone.search(ip_, &zm)) ip_.erase(static_cast<size_t>(zm[0].data() - ip_.data()));
  }
  static const Pattern mapped(R"re(^0*:0*:(?:0*:)*ffff:(\d+\.\d+\.\d+\.\d+)$)re", true);
  if (Groups mm; ip_.find(':') != std::string::npos && mapped.search(ip_, &mm))
    ip_ = std::string(view(mm[1]));
  if (!by_.empty() && by_.back() == ';') by_.pop_back();

  markStripped(ip_);
  markStripped(rdns_);
  markStripped(helo_);
  markStripped(by_);
  markStripped(ident_);
  if (envfrom_) envfrom_ = cleanEnvelope(*envfrom_);

  ReceivedRelay& relay = result_.relay;
  relay.ip = std::move(ip_);
  relay.by = std::move(by_);
  relay.helo = std::move(helo_);
  relay.id = std::move(id_);
  relay.ident = std::move(ident_);
  relay.envfrom = std::move(envfrom_);
  relay.auth = std::move(auth_);
  relay.no_reverse_dns = rdns_.empty() && looked_up_dns_;
  relay.rdns = std::move(rdns_);
  relay.ip_private = isPrivateIp(relay.ip);
  result_.kind = ReceivedParse::Kind::Relay;
  return std::move(result_);
}

}  // namespace

std::string ReceivedRelay::asString(bool internal, bool msa) const {
  const std::string env = envfrom && truthy(*envfrom) ? *envfrom : "";
  return "[ ip=" + ip + " rdns=" + rdns + " helo=" + helo + " by=" + by + " ident=" + ident +
         " envfrom=" + env + " intl=" + (internal ? "1" : "0") + " id=" + id + " auth=" + auth +
         " msa=" + (msa ? "1" : "0") + " ]";
}

std::string relayFieldText(std::string_view raw) {
  std::string text(raw);
  markStripped(text);
  return text;
}

ReceivedParse parseReceived(std::string_view value) {
  return ReceivedParser(value, true).parse();
}

ReceivedParse parseReceivedByPatterns(std::string_view value) {
  return ReceivedParser(value, false).parse();
}

std::optional<std::string> originatingIpReceived(std::string_view value) {
  static const Pattern ip(
      [](IpForms forms) { return leadingIp("", "(?:$|" + std::string(kNotIpv6Byte) + ")", forms); },
      false, kLeadingIpAliases);
  Groups m;
  if (!ip.search(value.substr(0, kMaxValueLength), &m)) return std::nullopt;
  return "from X-Originating-IP: " + std::string(view(m[1]));
}

bool isPrivateIp(std::string_view ip) {
  static const Pattern pattern([](IpForms forms) { return privatePattern(false, forms); }, false,
                               {});
  if (ip.find(':') == std::string_view::npos) return hasPrivateIpv4Prefix(ip);
  return pattern.search(ip);
}

bool isWholePrivateIp(std::string_view ip) {
  static const Pattern pattern([](IpForms forms) { return privatePattern(true, forms); }, false,
                               {});
  return pattern.search(beforeFinalNewline(ip));
}

bool isIpv4Address(std::string_view text) {
  static const Pattern pattern("^{IP4}$");
  return pattern.search(beforeFinalNewline(text));
}

}  // namespace portcullis::mime
