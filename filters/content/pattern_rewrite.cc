#include "filters/content/pattern_rewrite.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <vector>

namespace portcullis::content {
namespace {

constexpr int kHighestPlainByte = 0x7f;
constexpr int kMaxGroupNesting = 200;  // deeper patterns are left alone (and the stack intact)

bool isHexDigit(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

int hexValue(char c) {
  return std::isdigit(static_cast<unsigned char>(c))
             ? c - '0'
             : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
}

// What a Rewriter changes.
enum class Rewrite {
  RemoveNonPlainText,  // what plain text cannot match
  RemovePieceAnchors,  // $, \z, \Z, \A and \B
  Re2Dialect,          // bytes above 0x7f made case-exact; notes what RE2 reads otherwise
  Re2Superset,         // as Re2Dialect, and large bounded repeats made unbounded
};

// Reads a Perl regular expression and writes it back as asked. A construct it does not read with
// certainty (backreferences, octal escapes, \Q, conditionals, extended mode, verbs) makes the
// whole pattern unreadable, and the caller keeps the original.
class Rewriter {
 public:
  Rewriter(std::string_view pattern, Rewrite rewrite)
      : re_(pattern),
        plain_(rewrite == Rewrite::RemoveNonPlainText),
        anchors_(rewrite == Rewrite::RemovePieceAnchors),
        case_exact_high_(rewrite == Rewrite::Re2Dialect || rewrite == Rewrite::Re2Superset),
        loosen_bounds_(rewrite == Rewrite::Re2Superset) {}

  // The rewritten pattern; nullopt when it can never match plain text. `unreadable` is set when
  // the result must not be used.
  std::optional<std::string> run(bool& unreadable) {
    auto out = alternation();
    if (!atEnd()) unreadable_ = true;  // an unbalanced ')'
    unreadable = unreadable_;
    return out;
  }
  // Whether the pattern uses what RE2 reads otherwise than PCRE2, or not at all: ^ (RE2's
  // multiline ^ also matches after a final newline), \v \h \R \K \X and the like, \p,
  // (?<name>).
  bool perlOnly() const { return perl_only_; }

 private:
  // A class member: its text, and the byte range it stands for (-1 when not one byte or range).
  struct Member {
    std::string_view text;
    std::string_view low_text;  // a range's first member
    int low = -1;
    int high = -1;
  };

  bool atEnd() const { return pos_ >= re_.size(); }
  char peek() const { return re_[pos_]; }
  std::string_view rest() const { return re_.substr(pos_); }
  std::nullopt_t unreadable() {
    unreadable_ = true;
    pos_ = re_.size();
    return std::nullopt;
  }

  std::optional<std::string> alternation() {
    std::optional<std::string> out;
    while (!unreadable_) {
      auto branch = sequence();
      if (branch) out = out ? *out + '|' + *branch : *branch;
      if (atEnd() || peek() != '|') break;
      ++pos_;
    }
    return out;
  }

  // A branch that begins with a literal "&#" needs a character reference.
  bool startsWithCharacterReference() const {
    if (!plain_) return false;
    for (std::string_view start : {"&#", "&\\#"}) {
      if (!rest().starts_with(start)) continue;
      const std::string_view after = rest().substr(start.size());
      return after.empty() || (after[0] != '?' && after[0] != '*' && after[0] != '{');
    }
    return false;
  }

  std::optional<std::string> sequence() {
    bool possible = !startsWithCharacterReference();
    std::string out;
    while (!unreadable_ && !atEnd() && peek() != '|' && peek() != ')') {
      auto item = atom();
      const std::string_view repeat = quantifier();
      if (item && item->empty()) continue;  // a dropped assertion, with any repeat it had
      if (item) {
        out += *item;
        out += loosen_bounds_ ? loosened(repeat) : repeat;
      } else if (!allowsZero(repeat)) {
        possible = false;
      }
    }
    if (!possible) return std::nullopt;
    return out;
  }

  std::string_view quantifier() {
    const size_t start = pos_;
    if (atEnd()) return {};
    if (peek() == '*' || peek() == '+' || peek() == '?') {
      ++pos_;
    } else if (peek() == '{') {
      size_t p = pos_ + 1;
      const size_t digits = p;
      while (p < re_.size() && std::isdigit(static_cast<unsigned char>(re_[p]))) ++p;
      if (p == digits) return {};  // "{" without a count is a literal
      if (p < re_.size() && re_[p] == ',') {
        ++p;
        while (p < re_.size() && std::isdigit(static_cast<unsigned char>(re_[p]))) ++p;
      }
      if (p >= re_.size() || re_[p] != '}') return {};
      pos_ = p + 1;
    } else {
      return {};
    }
    if (!atEnd() && (peek() == '?' || peek() == '+')) ++pos_;  // lazy or possessive
    return re_.substr(start, pos_ - start);
  }

  // `{m,n}` with n above kLoosenedBound as `{m,}` (laziness kept): every text the bounded repeat
  // matches, the unbounded one matches too. Possessive repeats, which may then match less, stay.
  static std::string loosened(std::string_view repeat) {
    constexpr long kLoosenedBound = 5;
    const size_t comma = repeat.find(',');
    const size_t close = repeat.find('}');
    if (repeat.empty() || repeat[0] != '{' || comma == std::string_view::npos ||
        close == comma + 1 || repeat.ends_with('+'))
      return std::string(repeat);
    long bound = 0;
    const char* first = repeat.data() + comma + 1;
    const auto parsed = std::from_chars(first, repeat.data() + close, bound);
    if (parsed.ec == std::errc() && bound <= kLoosenedBound) return std::string(repeat);
    return std::string(repeat.substr(0, comma + 1)) + std::string(repeat.substr(close));
  }

  static bool allowsZero(std::string_view repeat) {
    if (repeat.empty()) return false;
    if (repeat[0] == '*' || repeat[0] == '?') return true;
    if (repeat[0] != '{') return false;
    size_t p = 1;
    while (p < repeat.size() && repeat[p] == '0') ++p;
    return p > 1 && !std::isdigit(static_cast<unsigned char>(repeat[p]));
  }

  std::optional<std::string> atom() {
    const char c = peek();
    if (c == '(') return group();
    if (c == '[') return characterClass();
    if (c == '\\') return escape();
    ++pos_;
    if (c == '$' && anchors_) return dropAssertion();
    perl_only_ = perl_only_ || c == '^';
    if (static_cast<unsigned char>(c) > kHighestPlainByte) {
      if (plain_) return std::nullopt;
      if (case_exact_high_) return caseExact(std::string(1, c));
    }
    return std::string(1, c);
  }

  // `item`, one byte above 0x7f or a class of them, matched without case folding: PCRE2 folds
  // only ASCII letters (no UTF mode, "C" locale tables), RE2 in Latin-1 mode folds Latin-1 ones.
  static std::string caseExact(std::string_view item) { return "(?-i:" + std::string(item) + ")"; }

  std::optional<std::string> group() {
    if (nesting_ >= kMaxGroupNesting) return unreadable();
    const size_t start = pos_++;
    bool negative_look = false;
    if (!atEnd() && peek() == '*') return unreadable();  // (*VERB)
    if (!atEnd() && peek() == '?') {
      const std::string_view r = rest();
      if (r.starts_with("?:") || r.starts_with("?>") || r.starts_with("?=") ||
          r.starts_with("?!")) {
        negative_look = r.starts_with("?!");
        pos_ += 2;
      } else if (r.starts_with("?<=") || r.starts_with("?<!")) {
        negative_look = r.starts_with("?<!");
        pos_ += 3;
      } else if (r.starts_with("?<") || r.starts_with("?P<") || r.starts_with("?'")) {
        perl_only_ = perl_only_ || r[1] != 'P';  // RE2 of 2022 knows only (?P<name>)
        const char close = r[1] == '\'' ? '\'' : '>';
        pos_ += r[1] == 'P' ? 3 : 2;
        while (!atEnd() && (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_'))
          ++pos_;
        if (atEnd() || peek() != close) return unreadable();
        ++pos_;
      } else {
        // Inline options: (?i) alone, or (?i-s:...) around a group. Extended mode is not read.
        ++pos_;
        while (!atEnd() && (std::isalpha(static_cast<unsigned char>(peek())) || peek() == '-' ||
                            peek() == '^')) {
          if (peek() == 'x') return unreadable();
          ++pos_;
        }
        if (atEnd() || (peek() != ':' && peek() != ')')) return unreadable();
        if (peek() == ')') {
          ++pos_;
          return std::string(re_.substr(start, pos_ - start));
        }
        ++pos_;
      }
    }
    const std::string head(re_.substr(start, pos_ - start));
    negative_depth_ += negative_look ? 1 : 0;
    ++nesting_;
    auto inner = alternation();
    --nesting_;
    negative_depth_ -= negative_look ? 1 : 0;
    if (unreadable_) return std::nullopt;
    if (atEnd() || peek() != ')') return unreadable();
    ++pos_;
    // A negative look-around that plain text can never trip always succeeds.
    if (!inner) return negative_look ? std::optional<std::string>("(?:)") : std::nullopt;
    return head + *inner + ")";
  }

  // Nothing, standing for a dropped assertion. Inside a negative look-around dropping one would
  // narrow the pattern instead of widening it: unreadable there.
  std::optional<std::string> dropAssertion() {
    if (negative_depth_ > 0) return unreadable();
    return std::string();
  }

  // The value of \xHH or \x{H...} at pos_ (just past the "x"); -1 when malformed.
  int hexEscape() {
    if (!atEnd() && peek() == '{') {
      const size_t close = re_.find('}', pos_);
      if (close == std::string_view::npos || close == pos_ + 1) return -1;
      int value = 0;
      for (size_t p = pos_ + 1; p < close; ++p) {
        if (!isHexDigit(re_[p]) || value > 0xffff) return -1;
        value = value * 16 + hexValue(re_[p]);
      }
      pos_ = close + 1;
      return value;
    }
    int value = 0;
    for (int n = 0; n < 2 && !atEnd() && isHexDigit(peek()); ++n, ++pos_)
      value = value * 16 + hexValue(peek());
    return value;
  }

  // Steps over what follows \c (a character) or \p and \P (a name, braced or one letter);
  // false when it is missing.
  bool skipEscapeArgument(char e) {
    if (e == 'c') {
      if (atEnd()) return false;
      ++pos_;
      return true;
    }
    if (!atEnd() && peek() == '{') {
      const size_t close = re_.find('}', pos_);
      if (close == std::string_view::npos) return false;
      pos_ = close + 1;
    } else if (!atEnd()) {
      ++pos_;
    }
    return true;
  }

  // An escape outside a class; nullopt when it stands for a byte plain text lacks.
  std::optional<std::string> escape() {
    const size_t start = pos_;
    if (pos_ + 1 >= re_.size()) return unreadable();
    const char e = re_[pos_ + 1];
    pos_ += 2;
    if (std::isdigit(static_cast<unsigned char>(e)) || e == 'g' || e == 'k' || e == 'Q' ||
        e == 'E' || e == 'o' || e == 'N')
      return unreadable();  // backreferences, octal, quoting, named characters
    const auto as_written = [&] { return std::string(re_.substr(start, pos_ - start)); };
    if (e == 'x') {
      const int value = hexEscape();
      if (value < 0) return unreadable();
      if (value > kHighestPlainByte) {
        if (plain_) return std::nullopt;
        if (case_exact_high_) {
          if (value > 0xff) return unreadable();
          return caseExact(as_written());
        }
      }
    } else if (e == 'c' || e == 'p' || e == 'P') {
      if (!skipEscapeArgument(e)) return unreadable();
      perl_only_ = perl_only_ || e != 'c';
    } else if (static_cast<unsigned char>(e) > kHighestPlainByte) {  // an escaped literal byte
      if (plain_) return std::nullopt;
      if (case_exact_high_) return caseExact(as_written());
    } else if (anchors_ && (e == 'A' || e == 'z' || e == 'Z' || e == 'B')) {
      return dropAssertion();
    } else if (e == 'G') {
      return unreadable();
    } else if (std::string_view("vVhHRKX").find(e) != std::string_view::npos) {
      perl_only_ = true;
    }
    return as_written();
  }

  // One member of a class at pos_, not a range.
  std::optional<Member> classMember() {
    const size_t start = pos_;
    const auto member = [&](int low) {
      const std::string_view text = re_.substr(start, pos_ - start);
      return Member{text, text, low, low};
    };
    if (rest().starts_with("[:")) {
      const size_t close = re_.find(":]", pos_ + 2);
      if (close == std::string_view::npos) return unreadable();
      pos_ = close + 2;
      return member(-1);
    }
    if (rest().starts_with("[=") || rest().starts_with("[.")) return unreadable();
    if (peek() != '\\') {
      ++pos_;
      return member(static_cast<unsigned char>(re_[start]));
    }
    if (pos_ + 1 >= re_.size()) return unreadable();
    const char e = re_[pos_ + 1];
    pos_ += 2;
    if (std::isdigit(static_cast<unsigned char>(e)) || e == 'o' || e == 'N' || e == 'Q' || e == 'E')
      return unreadable();
    if (e == 'x') {
      const int value = hexEscape();
      if (value < 0) return unreadable();
      return member(value);
    }
    if (e == 'c' || e == 'p' || e == 'P') {
      if (!skipEscapeArgument(e)) return unreadable();
      perl_only_ = perl_only_ || e != 'c';
      return member(-1);
    }
    // A letter escape is a set or a control character (kept as written); any other escaped
    // character stands for itself.
    if (std::string_view("vVhH").find(e) != std::string_view::npos) perl_only_ = true;
    if (std::isalpha(static_cast<unsigned char>(e))) return member(-1);
    return member(static_cast<unsigned char>(e));
  }

  std::optional<std::string> characterClass() {
    const size_t start = pos_++;
    bool negated = false;
    if (!atEnd() && peek() == '^') {
      negated = true;
      ++pos_;
    }
    std::vector<Member> members;
    for (bool first = true;; first = false) {
      if (atEnd()) return unreadable();
      if (peek() == ']' && !first) {
        ++pos_;
        break;
      }
      const size_t member_start = pos_;
      auto low = classMember();
      if (!low) return std::nullopt;
      if (pos_ + 1 < re_.size() && peek() == '-' && re_[pos_ + 1] != ']') {
        ++pos_;
        auto high = classMember();
        if (!high) return std::nullopt;
        const std::string_view text = re_.substr(member_start, pos_ - member_start);
        const bool bytes = low->low >= 0 && high->high >= 0;
        members.push_back({text, low->text, bytes ? low->low : -1, bytes ? high->high : -1});
      } else {
        members.push_back(*low);
      }
    }
    const auto needs_high_byte = [](const Member& m) { return m.high > kHighestPlainByte; };
    const bool has_high = std::any_of(members.begin(), members.end(), needs_high_byte);
    if (case_exact_high_ && has_high) return caseExactClass(members, negated);
    // A negated class matches plain bytes exactly as written, as does one with nothing to drop.
    if (!plain_ || negated || !has_high) return std::string(re_.substr(start, pos_ - start));
    std::string out = asciiMembers(members);
    if (out.empty()) return std::nullopt;
    return "[" + out + "]";
  }

  // The members of a class as written, without bytes above 0x7f (ranges clipped at 0x7f).
  static std::string asciiMembers(const std::vector<Member>& members) {
    std::string out;
    for (const Member& m : members) {
      if (m.low > kHighestPlainByte) continue;
      // Where a dropped member stood, these could change meaning.
      if (m.text == "-" || (out.empty() && m.text.starts_with('^'))) out += '\\';
      if (m.high > kHighestPlainByte) {
        out += m.low_text;
        out += "-\\x7f";
      } else {
        out += m.text;
      }
    }
    return out;
  }

  // A class with bytes above 0x7f, split so that those are matched case-exactly (see caseExact)
  // while its ASCII members keep the pattern's case folding, which RE2 and PCRE2 share.
  std::optional<std::string> caseExactClass(const std::vector<Member>& members, bool negated) {
    std::string high;
    bool complement_set = false;  // \W, \D, \S or [:^name:]: every byte above 0x7f
    for (const Member& m : members) {
      if (m.high > 0xff) return unreadable();
      if (m.low < 0) {
        complement_set = complement_set || m.text == "\\W" || m.text == "\\D" || m.text == "\\S" ||
                         m.text.starts_with("[:^");
        continue;
      }
      if (m.high <= kHighestPlainByte) continue;
      high += hexByte(std::max(m.low, kHighestPlainByte + 1));
      if (m.high > std::max(m.low, kHighestPlainByte + 1)) high += "-" + hexByte(m.high);
    }
    const std::string ascii = asciiMembers(members);
    if (negated) {
      const std::string rest_of_ascii = "[^" + ascii + "\\x80-\\xff]";
      if (complement_set) return rest_of_ascii;
      return "(?:" + caseExact("[^\\x00-\\x7f" + high + "]") + "|" + rest_of_ascii + ")";
    }
    if (ascii.empty()) return caseExact("[" + high + "]");
    return "(?:[" + ascii + "]|" + caseExact("[" + high + "]") + ")";
  }

  static std::string hexByte(int value) {
    static constexpr char kDigits[] = "0123456789abcdef";
    return {'\\', 'x', kDigits[value >> 4], kDigits[value & 0xf]};
  }

  std::string_view re_;
  const bool plain_;            // removing what plain text cannot match
  const bool anchors_;          // dropping piece anchors
  const bool case_exact_high_;  // making bytes above 0x7f case-exact, for RE2
  const bool loosen_bounds_;    // making large bounded repeats unbounded, for a superset
  bool perl_only_ = false;
  size_t pos_ = 0;
  int negative_depth_ = 0;  // negative look-arounds around pos_
  int nesting_ = 0;         // groups around pos_
  bool unreadable_ = false;
};

}  // namespace

PlainTextPattern restrictToPlainText(std::string_view pattern) {
  bool unreadable = false;
  auto restricted = Rewriter(pattern, Rewrite::RemoveNonPlainText).run(unreadable);
  if (unreadable) return {PlainTextPattern::Kind::Unchanged, std::string(pattern)};
  if (!restricted) return {PlainTextPattern::Kind::NeverMatches, {}};
  if (*restricted == pattern) return {PlainTextPattern::Kind::Unchanged, std::string(pattern)};
  return {PlainTextPattern::Kind::Restricted, std::move(*restricted)};
}

std::optional<std::string> withoutPieceAnchors(std::string_view pattern) {
  bool unreadable = false;
  auto rewritten = Rewriter(pattern, Rewrite::RemovePieceAnchors).run(unreadable);
  if (unreadable || !rewritten || *rewritten == pattern) return std::nullopt;
  return rewritten;
}

std::optional<std::string> inRe2Dialect(std::string_view pattern) {
  bool unreadable = false;
  Rewriter rewriter(pattern, Rewrite::Re2Dialect);
  auto rewritten = rewriter.run(unreadable);
  if (unreadable || rewriter.perlOnly() || !rewritten) return std::nullopt;
  return rewritten;
}

std::optional<std::string> inRe2DialectLoosened(std::string_view pattern) {
  bool unreadable = false;
  Rewriter rewriter(pattern, Rewrite::Re2Superset);
  auto rewritten = rewriter.run(unreadable);
  if (unreadable || rewriter.perlOnly() || !rewritten) return std::nullopt;
  return rewritten;
}

bool isPlainText(std::string_view text) {
  unsigned char seen = 0;
  for (const char c : text) seen |= static_cast<unsigned char>(c);
  return seen <= kHighestPlainByte && text.find("&#") == std::string_view::npos;
}

std::optional<RepeatedGroup> largestRepeatedGroup(std::string_view pattern) {
  for (std::string_view unsafe : {"\\Q", "\\g", "\\k", "(?P", "(?&", "(?|", "(?R", "(?(", "(?#"}) {
    if (pattern.find(unsafe) != std::string_view::npos) return std::nullopt;
  }
  std::optional<RepeatedGroup> best;
  std::vector<std::pair<size_t, bool>> groups;  // open position, is (?:
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      if (i + 1 < pattern.size() && pattern[i + 1] >= '1' && pattern[i + 1] <= '9')
        return std::nullopt;  // a back-reference
      ++i;
      continue;
    }
    if (in_class) {
      if (c == '[' && i + 1 < pattern.size() && pattern[i + 1] == ':') {
        const size_t end = pattern.find(":]", i + 2);
        if (end == std::string_view::npos) return std::nullopt;
        i = end + 1;
      } else if (c == ']') {
        in_class = false;
      }
      continue;
    }
    if (c == '[') {
      in_class = true;
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') ++i;
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') ++i;  // a leading ] is literal
      continue;
    }
    if (c == '(') {
      if (i + 2 < pattern.size() && pattern[i + 1] == '?' && pattern[i + 2] >= '1' &&
          pattern[i + 2] <= '9')
        return std::nullopt;  // a numbered subroutine call
      groups.emplace_back(i, pattern.substr(i, 3) == "(?:");
      continue;
    }
    if (c != ')' || groups.empty()) continue;
    const auto [open, non_capturing] = groups.back();
    groups.pop_back();
    if (!non_capturing || i + 1 >= pattern.size() || pattern[i + 1] != '{') continue;
    const size_t end = pattern.find('}', i + 2);
    if (end == std::string_view::npos) continue;
    const std::string_view digits = pattern.substr(i + 2, end - i - 2);
    if (digits.empty() || digits.size() > 3 ||
        digits.find_first_not_of("0123456789") != std::string_view::npos)
      continue;
    const long count = std::stol(std::string(digits));
    const bool lazy_or_possessive =
        end + 1 < pattern.size() && (pattern[end + 1] == '?' || pattern[end + 1] == '+');
    if (count < 2 || lazy_or_possessive) continue;
    if (!best || i - open > best->close - best->open) best = RepeatedGroup{open, i, end + 1, count};
  }
  if (in_class) return std::nullopt;
  return best;
}

}  // namespace portcullis::content
