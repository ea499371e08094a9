// ASCII helpers for the MIME parser: case folding, comparison and trimming that never look at the
// locale and never allocate unless they return a string. Kept here (not in gateway/core) so the
// parser stays free of Asio and can be fuzzed on its own.
#pragma once

#include <string>
#include <string_view>

namespace portcullis::mime {

inline char asciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
inline bool isAsciiAlpha(char c) {
  return (c | 32) >= 'a' && (c | 32) <= 'z';
}
inline bool isAsciiDigit(char c) {
  return c >= '0' && c <= '9';
}
inline bool isAsciiAlnum(char c) {
  return isAsciiAlpha(c) || isAsciiDigit(c);
}
inline bool isBlank(char c) {
  return c == ' ' || c == '\t';
}
inline bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Value of a hexadecimal digit, or -1.
inline int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline std::string asciiLowerCopy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = asciiLower(c);
  return out;
}

inline void asciiLowerInPlace(std::string& s) {
  for (char& c : s) c = asciiLower(c);
}

inline bool asciiIequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (asciiLower(a[i]) != asciiLower(b[i])) return false;
  return true;
}

inline bool asciiIstartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && asciiIequals(s.substr(0, prefix.size()), prefix);
}

inline std::string_view trimSpace(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace portcullis::mime
