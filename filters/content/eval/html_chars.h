// The character classes HTML::Parser and Mail::SpamAssassin::HTML read HTML with, shared by the
// HTML tokenizer, measurer, reference decoder and colour reader (html_*.cc): ASCII only, no
// locale.
#pragma once

#include <string_view>

namespace portcullis::content::html {

inline bool isHtmlSpace(char c) {  // HTML::Parser's space class
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
inline bool isAsciiAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool isAsciiDigit(char c) {
  return c >= '0' && c <= '9';
}
// Perl's \s (Unicode rules) for an ASCII byte.
inline bool isPerlSpace(char c) {
  return isHtmlSpace(c);
}
inline std::string_view trimPerlSpace(std::string_view s) {
  while (!s.empty() && isPerlSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isPerlSpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace portcullis::content::html
