#include "gateway/mime/received_anchor.h"

#include <array>

namespace portcullis::mime {
namespace {

// RE2's \s.
bool isRegexSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

bool isAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Whether `pattern` has a '|' outside every group and class.
bool hasTopLevelAlternative(std::string_view pattern) {
  int depth = 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      ++i;
    } else if (c == '[') {
      ++i;
      if (i < pattern.size() && pattern[i] == '^') ++i;
      if (i < pattern.size() && pattern[i] == ']') ++i;
      while (i < pattern.size() && pattern[i] != ']') i += pattern[i] == '\\' ? 2 : 1;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == '|' && depth == 0) {
      return true;
    }
  }
  return false;
}

bool isQuantifier(char c) {
  return c == '?' || c == '*' || c == '+' || c == '{';
}

}  // namespace

AnchoredStart::AnchoredStart(std::string_view pattern) {
  if (pattern.empty() || pattern.front() != '^' || hasTopLevelAlternative(pattern)) return;
  size_t i = 1;
  constexpr std::array<std::pair<std::string_view, FirstWord>, 4> kFirstWords = {{
      {"(\\S+) ", FirstWord::NonEmpty},
      {"\\S+ ", FirstWord::NonEmpty},
      {"(\\S*) ", FirstWord::MaybeEmpty},
      {"\\S* ", FirstWord::MaybeEmpty},
  }};
  for (const auto& [source, kind] : kFirstWords) {
    if (pattern.substr(i, source.size()) != source) continue;
    first_word_ = kind;
    i += source.size();
    break;
  }
  // Literal bytes: letters, digits, space and escaped punctuation, up to the first other
  // construct; a byte a quantifier applies to is not required.
  while (i < pattern.size()) {
    char literal = pattern[i];
    size_t next = i + 1;
    if (literal == '\\') {
      if (next >= pattern.size() || isAlnum(pattern[next])) break;
      literal = pattern[next];
      next = i + 2;
    } else if (!isAlnum(literal) && literal != ' ' && literal != '-' && literal != ':' &&
               literal != ',' && literal != '<' && literal != '>' && literal != '@' &&
               literal != ';' && literal != '=' && literal != '/') {
      break;
    }
    if (next < pattern.size() && isQuantifier(pattern[next])) break;
    bytes_ += literal;
    i = next;
  }
  active_ = first_word_ != FirstWord::None || !bytes_.empty();
}

bool AnchoredStart::admits(std::string_view text) const {
  if (!active_) return true;
  size_t at = 0;
  if (first_word_ != FirstWord::None) {
    while (at < text.size() && !isRegexSpace(text[at])) ++at;
    if (at == text.size() || text[at] != ' ') return false;
    if (at == 0 && first_word_ == FirstWord::NonEmpty) return false;
    ++at;
  }
  return text.substr(at, bytes_.size()) == bytes_;
}

}  // namespace portcullis::mime
