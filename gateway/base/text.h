// ASCII string helpers shared by every part of the gateway: case folding, case-insensitive
// comparison, trimming and splitting. ASCII only, never the locale (see ascii.h); none of them
// allocate unless they return a std::string. The string_views returned point into the argument.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gateway/base/ascii.h"

namespace portcullis {

std::string toLower(std::string_view s);
std::string toUpper(std::string_view s);
void lowerInPlace(std::string& s);

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (asciiLower(a[i]) != asciiLower(b[i])) return false;
  }
  return true;
}

inline bool istartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// Trimming. Each variant names what it strips from both ends (or from the end only):
// trim: space, tab, CR and LF (the white space of mail protocol lines and header values);
// trimAsciiSpace: every isAsciiSpace byte, \v and \f too (C's isspace, Perl's \s);
// trimTrailingNewlines: CR and LF at the end only (a message line from a C library).
inline std::string_view trim(std::string_view s) {
  auto strip = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && strip(s.front())) s.remove_prefix(1);
  while (!s.empty() && strip(s.back())) s.remove_suffix(1);
  return s;
}

inline std::string_view trimAsciiSpace(std::string_view s) {
  while (!s.empty() && isAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

inline std::string_view trimTrailingNewlines(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// The pieces of `s` between the separators: n separators give n + 1 pieces, empty ones kept
// ("" gives one empty piece).
std::vector<std::string_view> split(std::string_view s, char sep);

// The words of `s` between runs of ASCII white space (isAsciiSpace), none of them empty.
std::vector<std::string> splitAsciiSpace(std::string_view s);

// The same pieces, handed to `fn` one by one without building a list (for per-message paths);
// stops as soon as `fn` returns false, and returns whether it never did.
template <class Fn>
bool forEachPiece(std::string_view s, char sep, Fn fn) {
  for (size_t start = 0;;) {
    const size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) return fn(s.substr(start));
    if (!fn(s.substr(start, pos - start))) return false;
    start = pos + 1;
  }
}

}  // namespace portcullis
