// ASCII character classes and case folding for single bytes. Mail protocols are case-insensitive
// in ASCII only, so nothing here looks at the locale: every byte >= 0x80 is none of these classes
// and folds to itself.
#pragma once

namespace portcullis {

constexpr bool isAsciiUpper(char c) {
  return c >= 'A' && c <= 'Z';
}
constexpr bool isAsciiLower(char c) {
  return c >= 'a' && c <= 'z';
}
constexpr bool isAsciiAlpha(char c) {
  return isAsciiUpper(c) || isAsciiLower(c);
}
constexpr bool isAsciiDigit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool isAsciiAlnum(char c) {
  return isAsciiAlpha(c) || isAsciiDigit(c);
}
// A letter, digit or '_' (Perl's \w on an ASCII byte).
constexpr bool isAsciiWordChar(char c) {
  return isAsciiAlnum(c) || c == '_';
}
// Space or horizontal tab (RFC 5234 WSP).
constexpr bool isBlank(char c) {
  return c == ' ' || c == '\t';
}
// The C locale's isspace: space, \t, \n, \v, \f, \r (also Perl's \s on an ASCII byte).
constexpr bool isAsciiSpace(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

constexpr char asciiLower(char c) {
  return isAsciiUpper(c) ? static_cast<char>(c - 'A' + 'a') : c;
}
constexpr char asciiUpper(char c) {
  return isAsciiLower(c) ? static_cast<char>(c - 'a' + 'A') : c;
}

// Value of a hexadecimal digit (either case), or -1 when `c` is none.
constexpr int hexValue(char c) {
  if (isAsciiDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace portcullis
