#include "filters/content/eval/html_facts.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <set>
#include <utility>

#include "gateway/core/text.h"
#include "gateway/mime/charset.h"
#include "gateway/mime/message.h"

namespace portcullis::content {
namespace {

// ---------------------------------------------------------------------------------------------
// Characters and small string helpers.

bool isHtmlSpace(char c) {  // HTML::Parser's space class
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool isAsciiAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool isAsciiDigit(char c) {
  return c >= '0' && c <= '9';
}
bool isNameFirst(char c) {
  return isAsciiAlpha(c) || c == '_' || c == ':';
}
bool isNameChar(char c) {
  return isNameFirst(c) || isAsciiDigit(c) || c == '.' || c == '-';
}
bool isNotSpaceGt(char c) {
  return !isHtmlSpace(c) && c != '>';
}
bool isNotSpaceEqGt(char c) {
  return isNotSpaceGt(c) && c != '=';
}
char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool icontains(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (iequals(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

// Perl's \s (Unicode rules) for an ASCII byte.
bool isPerlSpace(char c) {
  return isHtmlSpace(c);
}

std::string_view trimPerlSpace(std::string_view s) {
  while (!s.empty() && isPerlSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isPerlSpace(s.back())) s.remove_suffix(1);
  return s;
}

// The code point starting at s[i] (invalid bytes read as themselves) and its length.
std::pair<uint32_t, size_t> codePointAt(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t n = b0 < 0x80 ? 1 : (b0 >> 5) == 6 ? 2 : (b0 >> 4) == 14 ? 3 : (b0 >> 3) == 30 ? 4 : 0;
  if (n <= 1 || i + n > s.size()) return {b0, 1};
  uint32_t cp = b0 & (0x7f >> n);
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xc0) != 0x80) return {b0, 1};
    cp = (cp << 6) | (b & 0x3f);
  }
  return {cp, n};
}

// The code point ending at s[end-1] and its length.
std::pair<uint32_t, size_t> codePointBefore(std::string_view s, size_t end) {
  size_t start = end - 1;
  while (start > 0 && end - start < 4 && (static_cast<unsigned char>(s[start]) & 0xc0) == 0x80)
    --start;
  auto [cp, n] = codePointAt(s, start);
  if (start + n != end) return {static_cast<unsigned char>(s[end - 1]), 1};
  return {cp, n};
}

bool hasCodePointAboveLatin1(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto [cp, n] = codePointAt(s, i);
    if (cp > 0xff) return true;
    i += n;
  }
  return false;
}

size_t codePointCount(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80 ? 1 : 0;
  return n;
}

// Perl's \s. On a string of characters (`unicode`) it knows the Unicode spaces; on a string of
// bytes, ASCII ones only.
bool isUnicodeSpace(uint32_t cp, bool unicode = true) {
  if (cp < 0x80) return isHtmlSpace(static_cast<char>(cp));
  if (!unicode) return false;
  return cp == 0x85 || cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

// Perl's \w: on bytes ASCII only; on characters, approximately, letters and digits, not the
// punctuation and symbol blocks.
bool isWordChar(uint32_t cp, bool unicode = true) {
  if (cp < 0x80) {
    const char c = static_cast<char>(cp);
    return isAsciiAlpha(c) || isAsciiDigit(c) || c == '_';
  }
  if (!unicode || isUnicodeSpace(cp)) return false;
  if (cp < 0xc0) return cp == 0xaa || cp == 0xb5 || cp == 0xba;
  if (cp == 0xd7 || cp == 0xf7) return false;
  if (cp >= 0x2000 && cp <= 0x2bff) return cp == 0x200c || cp == 0x200d || cp == 0x203f;
  if (cp >= 0x3000 && cp <= 0x303f) return cp >= 0x3005 && cp <= 0x3007;
  if (cp >= 0xfe30 && cp <= 0xfe4f) return false;
  if (cp >= 0xff00 && cp <= 0xff0f) return false;
  if (cp == 0xfffd || cp >= 0x1f000) return false;
  return true;
}

// [^\s\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]: what HTML.pm counts as part of a word when it
// looks for words split by tags.
bool isWordPiece(uint32_t cp, bool unicode) {
  if (isUnicodeSpace(cp, unicode)) return false;
  return !((cp >= 0x21 && cp <= 0x2f) || (cp >= 0x3a && cp <= 0x40) || (cp >= 0x5b && cp <= 0x60) ||
           (cp >= 0x7b && cp <= 0x7e));
}

// ---------------------------------------------------------------------------------------------
// Character references as HTML::Entities decodes them: its HTML 4 table (the Latin-1 names also
// without ';'), numeric references with or without ';', and in text (not in attribute values)
// the longest known prefix of an unknown name ("&ampx" is "&x").

struct NamedReference {
  std::string_view name;
  uint32_t code_point;
  bool needs_semicolon;
};

constexpr std::array<NamedReference, 253> kReferences = {
    {{"AElig", 0xC6, false},   {"Aacute", 0xC1, false},   {"Acirc", 0xC2, false},
     {"Agrave", 0xC0, false},  {"Alpha", 0x391, true},    {"Aring", 0xC5, false},
     {"Atilde", 0xC3, false},  {"Auml", 0xC4, false},     {"Beta", 0x392, true},
     {"Ccedil", 0xC7, false},  {"Chi", 0x3A7, true},      {"Dagger", 0x2021, true},
     {"Delta", 0x394, true},   {"ETH", 0xD0, false},      {"Eacute", 0xC9, false},
     {"Ecirc", 0xCA, false},   {"Egrave", 0xC8, false},   {"Epsilon", 0x395, true},
     {"Eta", 0x397, true},     {"Euml", 0xCB, false},     {"Gamma", 0x393, true},
     {"Iacute", 0xCD, false},  {"Icirc", 0xCE, false},    {"Igrave", 0xCC, false},
     {"Iota", 0x399, true},    {"Iuml", 0xCF, false},     {"Kappa", 0x39A, true},
     {"Lambda", 0x39B, true},  {"Mu", 0x39C, true},       {"Ntilde", 0xD1, false},
     {"Nu", 0x39D, true},      {"OElig", 0x152, true},    {"Oacute", 0xD3, false},
     {"Ocirc", 0xD4, false},   {"Ograve", 0xD2, false},   {"Omega", 0x3A9, true},
     {"Omicron", 0x39F, true}, {"Oslash", 0xD8, false},   {"Otilde", 0xD5, false},
     {"Ouml", 0xD6, false},    {"Phi", 0x3A6, true},      {"Pi", 0x3A0, true},
     {"Prime", 0x2033, true},  {"Psi", 0x3A8, true},      {"Rho", 0x3A1, true},
     {"Scaron", 0x160, true},  {"Sigma", 0x3A3, true},    {"THORN", 0xDE, false},
     {"Tau", 0x3A4, true},     {"Theta", 0x398, true},    {"Uacute", 0xDA, false},
     {"Ucirc", 0xDB, false},   {"Ugrave", 0xD9, false},   {"Upsilon", 0x3A5, true},
     {"Uuml", 0xDC, false},    {"Xi", 0x39E, true},       {"Yacute", 0xDD, false},
     {"Yuml", 0x178, true},    {"Zeta", 0x396, true},     {"aacute", 0xE1, false},
     {"acirc", 0xE2, false},   {"acute", 0xB4, false},    {"aelig", 0xE6, false},
     {"agrave", 0xE0, false},  {"alefsym", 0x2135, true}, {"alpha", 0x3B1, true},
     {"amp", 0x26, false},     {"and", 0x2227, true},     {"ang", 0x2220, true},
     {"apos", 0x27, false},    {"aring", 0xE5, false},    {"asymp", 0x2248, true},
     {"atilde", 0xE3, false},  {"auml", 0xE4, false},     {"bdquo", 0x201E, true},
     {"beta", 0x3B2, true},    {"brvbar", 0xA6, false},   {"bull", 0x2022, true},
     {"cap", 0x2229, true},    {"ccedil", 0xE7, false},   {"cedil", 0xB8, false},
     {"cent", 0xA2, false},    {"chi", 0x3C7, true},      {"circ", 0x2C6, true},
     {"clubs", 0x2663, true},  {"cong", 0x2245, true},    {"copy", 0xA9, false},
     {"crarr", 0x21B5, true},  {"cup", 0x222A, true},     {"curren", 0xA4, false},
     {"dArr", 0x21D3, true},   {"dagger", 0x2020, true},  {"darr", 0x2193, true},
     {"deg", 0xB0, false},     {"delta", 0x3B4, true},    {"diams", 0x2666, true},
     {"divide", 0xF7, false},  {"eacute", 0xE9, false},   {"ecirc", 0xEA, false},
     {"egrave", 0xE8, false},  {"empty", 0x2205, true},   {"emsp", 0x2003, true},
     {"ensp", 0x2002, true},   {"epsilon", 0x3B5, true},  {"equiv", 0x2261, true},
     {"eta", 0x3B7, true},     {"eth", 0xF0, false},      {"euml", 0xEB, false},
     {"euro", 0x20AC, true},   {"exist", 0x2203, true},   {"fnof", 0x192, true},
     {"forall", 0x2200, true}, {"frac12", 0xBD, false},   {"frac14", 0xBC, false},
     {"frac34", 0xBE, false},  {"frasl", 0x2044, true},   {"gamma", 0x3B3, true},
     {"ge", 0x2265, true},     {"gt", 0x3E, false},       {"hArr", 0x21D4, true},
     {"harr", 0x2194, true},   {"hearts", 0x2665, true},  {"hellip", 0x2026, true},
     {"iacute", 0xED, false},  {"icirc", 0xEE, false},    {"iexcl", 0xA1, false},
     {"igrave", 0xEC, false},  {"image", 0x2111, true},   {"infin", 0x221E, true},
     {"int", 0x222B, true},    {"iota", 0x3B9, true},     {"iquest", 0xBF, false},
     {"isin", 0x2208, true},   {"iuml", 0xEF, false},     {"kappa", 0x3BA, true},
     {"lArr", 0x21D0, true},   {"lambda", 0x3BB, true},   {"lang", 0x2329, true},
     {"laquo", 0xAB, false},   {"larr", 0x2190, true},    {"lceil", 0x2308, true},
     {"ldquo", 0x201C, true},  {"le", 0x2264, true},      {"lfloor", 0x230A, true},
     {"lowast", 0x2217, true}, {"loz", 0x25CA, true},     {"lrm", 0x200E, true},
     {"lsaquo", 0x2039, true}, {"lsquo", 0x2018, true},   {"lt", 0x3C, false},
     {"macr", 0xAF, false},    {"mdash", 0x2014, true},   {"micro", 0xB5, false},
     {"middot", 0xB7, false},  {"minus", 0x2212, true},   {"mu", 0x3BC, true},
     {"nabla", 0x2207, true},  {"nbsp", 0xA0, false},     {"ndash", 0x2013, true},
     {"ne", 0x2260, true},     {"ni", 0x220B, true},      {"not", 0xAC, false},
     {"notin", 0x2209, true},  {"nsub", 0x2284, true},    {"ntilde", 0xF1, false},
     {"nu", 0x3BD, true},      {"oacute", 0xF3, false},   {"ocirc", 0xF4, false},
     {"oelig", 0x153, true},   {"ograve", 0xF2, false},   {"oline", 0x203E, true},
     {"omega", 0x3C9, true},   {"omicron", 0x3BF, true},  {"oplus", 0x2295, true},
     {"or", 0x2228, true},     {"ordf", 0xAA, false},     {"ordm", 0xBA, false},
     {"oslash", 0xF8, false},  {"otilde", 0xF5, false},   {"otimes", 0x2297, true},
     {"ouml", 0xF6, false},    {"para", 0xB6, false},     {"part", 0x2202, true},
     {"permil", 0x2030, true}, {"perp", 0x22A5, true},    {"phi", 0x3C6, true},
     {"pi", 0x3C0, true},      {"piv", 0x3D6, true},      {"plusmn", 0xB1, false},
     {"pound", 0xA3, false},   {"prime", 0x2032, true},   {"prod", 0x220F, true},
     {"prop", 0x221D, true},   {"psi", 0x3C8, true},      {"quot", 0x22, false},
     {"rArr", 0x21D2, true},   {"radic", 0x221A, true},   {"rang", 0x232A, true},
     {"raquo", 0xBB, false},   {"rarr", 0x2192, true},    {"rceil", 0x2309, true},
     {"rdquo", 0x201D, true},  {"real", 0x211C, true},    {"reg", 0xAE, false},
     {"rfloor", 0x230B, true}, {"rho", 0x3C1, true},      {"rlm", 0x200F, true},
     {"rsaquo", 0x203A, true}, {"rsquo", 0x2019, true},   {"sbquo", 0x201A, true},
     {"scaron", 0x161, true},  {"sdot", 0x22C5, true},    {"sect", 0xA7, false},
     {"shy", 0xAD, false},     {"sigma", 0x3C3, true},    {"sigmaf", 0x3C2, true},
     {"sim", 0x223C, true},    {"spades", 0x2660, true},  {"sub", 0x2282, true},
     {"sube", 0x2286, true},   {"sum", 0x2211, true},     {"sup", 0x2283, true},
     {"sup1", 0xB9, false},    {"sup2", 0xB2, false},     {"sup3", 0xB3, false},
     {"supe", 0x2287, true},   {"szlig", 0xDF, false},    {"tau", 0x3C4, true},
     {"there4", 0x2234, true}, {"theta", 0x3B8, true},    {"thetasym", 0x3D1, true},
     {"thinsp", 0x2009, true}, {"thorn", 0xFE, false},    {"tilde", 0x2DC, true},
     {"times", 0xD7, false},   {"trade", 0x2122, true},   {"uArr", 0x21D1, true},
     {"uacute", 0xFA, false},  {"uarr", 0x2191, true},    {"ucirc", 0xFB, false},
     {"ugrave", 0xF9, false},  {"uml", 0xA8, false},      {"upsih", 0x3D2, true},
     {"upsilon", 0x3C5, true}, {"uuml", 0xFC, false},     {"weierp", 0x2118, true},
     {"xi", 0x3BE, true},      {"yacute", 0xFD, false},   {"yen", 0xA5, false},
     {"yuml", 0xFF, false},    {"zeta", 0x3B6, true},     {"zwj", 0x200D, true},
     {"zwnj", 0x200C, true}}};

const NamedReference* findReference(std::string_view name) {
  auto it =
      std::lower_bound(kReferences.begin(), kReferences.end(), name,
                       [](const NamedReference& r, std::string_view n) { return r.name < n; });
  return it != kReferences.end() && it->name == name ? &*it : nullptr;
}

void appendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

int hexValue(char c) {
  if (isAsciiDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The reference after the '&' at s[amp]: its code point and where it ends, or nullopt.
std::optional<std::pair<uint32_t, size_t>> readReference(std::string_view s, size_t amp,
                                                         bool expand_prefix) {
  size_t i = amp + 1;
  if (i < s.size() && s[i] == '#') {
    ++i;
    const bool hex = i < s.size() && (s[i] == 'x' || s[i] == 'X');
    if (hex) ++i;
    uint32_t cp = 0;
    bool digits = false;
    while (i < s.size() && (hex ? hexValue(s[i]) >= 0 : isAsciiDigit(s[i]))) {
      cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(hex ? hexValue(s[i]) : s[i] - '0');
      if (cp > 0x10ffff) return std::nullopt;
      digits = true;
      ++i;
    }
    if (!digits || cp == 0 || cp == 0xfffe || cp == 0xffff) return std::nullopt;
    if ((cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe)
      cp = 0xfffd;
    if (i < s.size() && s[i] == ';') ++i;
    return std::make_pair(cp, i);
  }
  const size_t name_begin = i;
  while (i < s.size() && (isAsciiAlpha(s[i]) || isAsciiDigit(s[i]) || s[i] == '_')) ++i;
  if (i == name_begin) return std::nullopt;
  const bool semicolon = i < s.size() && s[i] == ';';
  const NamedReference* ref = findReference(s.substr(name_begin, i - name_begin));
  if (ref && (!ref->needs_semicolon || semicolon))
    return std::make_pair(ref->code_point, semicolon ? i + 1 : i);
  if (!expand_prefix) return std::nullopt;
  for (size_t end = i - 1; end > name_begin; --end) {
    const NamedReference* prefix = findReference(s.substr(name_begin, end - name_begin));
    if (prefix && !prefix->needs_semicolon) return std::make_pair(prefix->code_point, end);
  }
  return std::nullopt;
}

std::string decodeReferences(std::string_view s, bool expand_prefix) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const size_t amp = s.find('&', i);
    if (amp == std::string_view::npos) {
      out.append(s.substr(i));
      break;
    }
    out.append(s.substr(i, amp - i));
    if (auto ref = readReference(s, amp, expand_prefix)) {
      appendUtf8(ref->first, out);
      i = ref->second;
    } else {
      out += '&';
      i = amp + 1;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Colours (HTML.pm's name_to_rgb).

struct NamedColor {
  std::string_view name;
  uint32_t rgb;
};

constexpr NamedColor kNamedColors[] = {{"aliceblue", 0xf0f8ff},
                                       {"antiquewhite", 0xfaebd7},
                                       {"aqua", 0x00ffff},
                                       {"aquamarine", 0x7fffd4},
                                       {"azure", 0xf0ffff},
                                       {"beige", 0xf5f5dc},
                                       {"bisque", 0xffe4c4},
                                       {"black", 0x000000},
                                       {"blanchedalmond", 0xffebcd},
                                       {"blue", 0x0000ff},
                                       {"blueviolet", 0x8a2be2},
                                       {"brown", 0xa52a2a},
                                       {"burlywood", 0xdeb887},
                                       {"cadetblue", 0x5f9ea0},
                                       {"chartreuse", 0x7fff00},
                                       {"chocolate", 0xd2691e},
                                       {"coral", 0xff7f50},
                                       {"cornflowerblue", 0x6495ed},
                                       {"cornsilk", 0xfff8dc},
                                       {"crimson", 0xdc143c},
                                       {"cyan", 0x00ffff},
                                       {"darkblue", 0x00008b},
                                       {"darkcyan", 0x008b8b},
                                       {"darkgoldenrod", 0xb8860b},
                                       {"darkgray", 0xa9a9a9},
                                       {"darkgreen", 0x006400},
                                       {"darkgrey", 0xa9a9a9},
                                       {"darkkhaki", 0xbdb76b},
                                       {"darkmagenta", 0x8b008b},
                                       {"darkolivegreen", 0x556b2f},
                                       {"darkorange", 0xff8c00},
                                       {"darkorchid", 0x9932cc},
                                       {"darkred", 0x8b0000},
                                       {"darksalmon", 0xe9967a},
                                       {"darkseagreen", 0x8fbc8f},
                                       {"darkslateblue", 0x483d8b},
                                       {"darkslategray", 0x2f4f4f},
                                       {"darkslategrey", 0x2f4f4f},
                                       {"darkturquoise", 0x00ced1},
                                       {"darkviolet", 0x9400d3},
                                       {"deeppink", 0xff1493},
                                       {"deepskyblue", 0x00bfff},
                                       {"dimgray", 0x696969},
                                       {"dimgrey", 0x696969},
                                       {"dodgerblue", 0x1e90ff},
                                       {"firebrick", 0xb22222},
                                       {"floralwhite", 0xfffaf0},
                                       {"forestgreen", 0x228b22},
                                       {"fuchsia", 0xff00ff},
                                       {"gainsboro", 0xdcdcdc},
                                       {"ghostwhite", 0xf8f8ff},
                                       {"gold", 0xffd700},
                                       {"goldenrod", 0xdaa520},
                                       {"gray", 0x808080},
                                       {"green", 0x008000},
                                       {"greenyellow", 0xadff2f},
                                       {"grey", 0x808080},
                                       {"honeydew", 0xf0fff0},
                                       {"hotpink", 0xff69b4},
                                       {"indianred", 0xcd5c5c},
                                       {"indigo", 0x4b0082},
                                       {"ivory", 0xfffff0},
                                       {"khaki", 0xf0e68c},
                                       {"lavender", 0xe6e6fa},
                                       {"lavenderblush", 0xfff0f5},
                                       {"lawngreen", 0x7cfc00},
                                       {"lemonchiffon", 0xfffacd},
                                       {"lightblue", 0xadd8e6},
                                       {"lightcoral", 0xf08080},
                                       {"lightcyan", 0xe0ffff},
                                       {"lightgoldenrodyellow", 0xfafad2},
                                       {"lightgray", 0xd3d3d3},
                                       {"lightgreen", 0x90ee90},
                                       {"lightgrey", 0xd3d3d3},
                                       {"lightpink", 0xffb6c1},
                                       {"lightsalmon", 0xffa07a},
                                       {"lightseagreen", 0x20b2aa},
                                       {"lightskyblue", 0x87cefa},
                                       {"lightslategray", 0x778899},
                                       {"lightslategrey", 0x778899},
                                       {"lightsteelblue", 0xb0c4de},
                                       {"lightyellow", 0xffffe0},
                                       {"lime", 0x00ff00},
                                       {"limegreen", 0x32cd32},
                                       {"linen", 0xfaf0e6},
                                       {"magenta", 0xff00ff},
                                       {"maroon", 0x800000},
                                       {"mediumaquamarine", 0x66cdaa},
                                       {"mediumblue", 0x0000cd},
                                       {"mediumorchid", 0xba55d3},
                                       {"mediumpurple", 0x9370db},
                                       {"mediumseagreen", 0x3cb371},
                                       {"mediumslateblue", 0x7b68ee},
                                       {"mediumspringgreen", 0x00fa9a},
                                       {"mediumturquoise", 0x48d1cc},
                                       {"mediumvioletred", 0xc71585},
                                       {"midnightblue", 0x191970},
                                       {"mintcream", 0xf5fffa},
                                       {"mistyrose", 0xffe4e1},
                                       {"moccasin", 0xffe4b5},
                                       {"navajowhite", 0xffdead},
                                       {"navy", 0x000080},
                                       {"oldlace", 0xfdf5e6},
                                       {"olive", 0x808000},
                                       {"olivedrab", 0x6b8e23},
                                       {"orange", 0xffa500},
                                       {"orangered", 0xff4500},
                                       {"orchid", 0xda70d6},
                                       {"palegoldenrod", 0xeee8aa},
                                       {"palegreen", 0x98fb98},
                                       {"paleturquoise", 0xafeeee},
                                       {"palevioletred", 0xdb7093},
                                       {"papayawhip", 0xffefd5},
                                       {"peachpuff", 0xffdab9},
                                       {"peru", 0xcd853f},
                                       {"pink", 0xffc0cb},
                                       {"plum", 0xdda0dd},
                                       {"powderblue", 0xb0e0e6},
                                       {"purple", 0x800080},
                                       {"red", 0xff0000},
                                       {"rosybrown", 0xbc8f8f},
                                       {"royalblue", 0x4169e1},
                                       {"saddlebrown", 0x8b4513},
                                       {"salmon", 0xfa8072},
                                       {"sandybrown", 0xf4a460},
                                       {"seagreen", 0x2e8b57},
                                       {"seashell", 0xfff5ee},
                                       {"sienna", 0xa0522d},
                                       {"silver", 0xc0c0c0},
                                       {"skyblue", 0x87ceeb},
                                       {"slateblue", 0x6a5acd},
                                       {"slategray", 0x708090},
                                       {"slategrey", 0x708090},
                                       {"snow", 0xfffafa},
                                       {"springgreen", 0x00ff7f},
                                       {"steelblue", 0x4682b4},
                                       {"tan", 0xd2b48c},
                                       {"teal", 0x008080},
                                       {"thistle", 0xd8bfd8},
                                       {"tomato", 0xff6347},
                                       {"turquoise", 0x40e0d0},
                                       {"violet", 0xee82ee},
                                       {"wheat", 0xf5deb3},
                                       {"white", 0xffffff},
                                       {"whitesmoke", 0xf5f5f5},
                                       {"yellow", 0xffff00},
                                       {"yellowgreen", 0x9acd32}};

const std::string kInvalid = "invalid";

std::string hexByte(uint64_t value) {  // HTML.pm's dec2hex: at least two digits
  char buf[24];
  std::snprintf(buf, sizeof buf, "%02llx", static_cast<unsigned long long>(value));
  return buf;
}

// Reads digits at s[i], returning the value (saturated) and moving i past them; nullopt when
// there is no digit.
std::optional<uint64_t> readDigits(std::string_view s, size_t& i) {
  if (i >= s.size() || !isAsciiDigit(s[i])) return std::nullopt;
  uint64_t value = 0;
  while (i < s.size() && isAsciiDigit(s[i])) {
    value = value > 1'000'000'000'000ULL ? value : value * 10 + static_cast<uint64_t>(s[i] - '0');
    ++i;
  }
  return value;
}

void skipPerlSpace(std::string_view s, size_t& i) {
  while (i < s.size() && isPerlSpace(s[i])) ++i;
}

// rgb(N%, N%, N%) (percent) or rgb(N, N, N) anywhere in `s`: the three values.
std::optional<std::array<uint64_t, 3>> findRgb(std::string_view s, bool percent) {
  for (size_t at = s.find("rgb("); at != std::string_view::npos; at = s.find("rgb(", at + 1)) {
    size_t i = at + 4;
    std::array<uint64_t, 3> v{};
    bool ok = true;
    for (int k = 0; k < 3 && ok; ++k) {
      if (k > 0) skipPerlSpace(s, i);
      auto n = readDigits(s, i);
      if (!n) {
        ok = false;
        break;
      }
      v[k] = *n;
      if (percent) {
        if (i >= s.size() || s[i] != '%') ok = false;
        ++i;
      }
      if (k < 2) {
        if (i >= s.size() || s[i] != ',') ok = false;
        ++i;
      }
    }
    if (!ok) continue;
    skipPerlSpace(s, i);
    if (i < s.size() && s[i] == ')') return v;
  }
  return std::nullopt;
}

// rgb\([\d%, ]*\) somewhere in `s`.
bool hasRgbShape(std::string_view s) {
  for (size_t at = s.find("rgb("); at != std::string_view::npos; at = s.find("rgb(", at + 1)) {
    size_t i = at + 4;
    while (i < s.size() && (isAsciiDigit(s[i]) || s[i] == '%' || s[i] == ',' || s[i] == ' ')) ++i;
    if (i < s.size() && s[i] == ')') return true;
  }
  return false;
}

bool isHexDigit(char c) {
  return isAsciiDigit(c) || (c >= 'a' && c <= 'f');
}

std::string nameToRgb(std::string_view raw) {
  std::string color(trimPerlSpace(toLower(raw)));
  for (const NamedColor& named : kNamedColors) {
    if (named.name == color) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "#%06x", named.rgb);
      return buf;
    }
  }
  const bool hexish =
      std::all_of(color.begin(), color.end(), [](char c) { return c == '#' || isHexDigit(c); });
  if (!hexish && !hasRgbShape(color)) return kInvalid;
  if (auto p = findRgb(color, true)) {
    color = "#";
    for (uint64_t v : *p)
      color += hexByte(static_cast<uint64_t>(static_cast<double>(v) / 100 * 255));
  }
  if (auto d = findRgb(color, false)) {
    color = "#";
    for (uint64_t v : *d) color += hexByte(v);
  }
  if (color.empty() || color[0] != '#') return kInvalid;
  std::string hex;
  for (char c : color) {
    if (isHexDigit(c)) hex += c;
  }
  if (hex.size() > 6) hex.resize(6);
  if (hex.size() > 3 && hex.size() < 6) hex.resize(3);
  if (hex.size() % 3 != 0) hex.append(3 - hex.size() % 3, '0');
  if (hex.size() == 3) hex = {hex[0], hex[0], hex[1], hex[1], hex[2], hex[2]};
  return "#" + hex;
}

// ^\#?([0-9a-f]{2}){3}$: the three channels.
std::optional<std::array<int, 3>> rgbChannels(std::string_view color) {
  if (!color.empty() && color[0] == '#') color.remove_prefix(1);
  if (color.size() != 6) return std::nullopt;
  std::array<int, 3> out{};
  for (int k = 0; k < 3; ++k) {
    int v = 0;
    for (int j = 0; j < 2; ++j) {
      const char c = color[static_cast<size_t>(k * 2 + j)];
      if (!isHexDigit(c)) return std::nullopt;
      v = v * 16 + (isAsciiDigit(c) ? c - '0' : c - 'a' + 10);
    }
    out[static_cast<size_t>(k)] = v;
  }
  return out;
}

std::string_view lastSix(std::string_view s) {
  return s.size() > 6 ? s.substr(s.size() - 6) : s;
}

// HTML.pm's parse_css_background: the values of the last layer of a CSS background.
std::vector<std::string> lastBackgroundLayer(std::string_view background) {
  std::vector<std::vector<std::string>> layers;
  std::vector<std::string> tokens;
  std::vector<int> stack;
  int state = 0;
  std::string token;
  for (char ch : background) {
    if (state == 0) {
      if (ch == ' ') {
        if (!token.empty()) tokens.push_back(std::move(token));
        token.clear();
      } else if (ch == '(' || ch == '"' || ch == '\'') {
        token += ch;
        stack.push_back(state);
        state = ch == '(' ? 1 : ch == '"' ? 2 : 3;
      } else if (ch == ',') {
        if (!token.empty()) tokens.push_back(std::move(token));
        token.clear();
        layers.push_back(std::move(tokens));
        tokens.clear();
      } else {
        token += ch;
      }
    } else if (state == 1) {
      token += ch;
      if (ch == ')') {
        tokens.push_back(std::move(token));
        token.clear();
        state = stack.empty() ? 0 : stack.back();
        if (!stack.empty()) stack.pop_back();
      } else if (ch == '"' || ch == '\'') {
        stack.push_back(state);
        state = ch == '"' ? 2 : 3;
      }
    } else {
      token += ch;
      if ((state == 2 && ch == '"') || (state == 3 && ch == '\'')) {
        state = stack.empty() ? 0 : stack.back();
        if (!stack.empty()) stack.pop_back();
      }
    }
  }
  if (!token.empty()) tokens.push_back(std::move(token));
  if (!tokens.empty()) layers.push_back(std::move(tokens));
  return layers.empty() ? std::vector<std::string>() : std::move(layers.back());
}

// The value of a style declaration `NAME: VALUE` as HTML.pm's regexes read it: the text after
// the colon with spaces trimmed; nullopt when it would not match (an empty value or a line break
// inside it). A value of spaces alone reads as one space, as Perl's backtracking gives it.
std::optional<std::string_view> declarationValue(std::string_view rest, bool require_non_space) {
  size_t i = 0;
  while (i < rest.size() && isPerlSpace(rest[i])) ++i;
  std::string_view value = rest.substr(i);
  while (!value.empty() && isPerlSpace(value.back())) value.remove_suffix(1);
  if (value.empty()) {
    if (require_non_space) return std::nullopt;
    for (char c : rest) {
      if (c != '\n') return std::string_view(" ");
    }
    return std::nullopt;
  }
  if (value.find('\n') != std::string_view::npos) return std::nullopt;
  return value;
}

// ---------------------------------------------------------------------------------------------
// Element tables of HTML.pm.

const std::set<std::string, std::less<>>& elementNames() {
  static const std::set<std::string, std::less<>> names = {
      "a",      "abbr",       "acronym",  "address",  "area",     "b",       "base",     "bdo",
      "big",    "blockquote", "body",     "br",       "button",   "caption", "cite",     "code",
      "col",    "colgroup",   "dd",       "del",      "dfn",      "div",     "dl",       "dt",
      "em",     "fieldset",   "form",     "h1",       "h2",       "h3",      "h4",       "h5",
      "h6",     "head",       "hr",       "html",     "i",        "img",     "input",    "ins",
      "kbd",    "label",      "legend",   "li",       "link",     "map",     "meta",     "noscript",
      "object", "ol",         "optgroup", "option",   "p",        "param",   "pre",      "q",
      "samp",   "script",     "select",   "small",    "span",     "strong",  "style",    "sub",
      "sup",    "table",      "tbody",    "td",       "textarea", "tfoot",   "th",       "thead",
      "title",  "tr",         "tt",       "ul",       "var",      "applet",  "basefont", "center",
      "dir",    "font",       "frame",    "frameset", "iframe",   "isindex", "menu",     "noframes",
      "s",      "strike",     "u",        "nobr",     "x-sigsep", "x-tab"};
  return names;
}

bool isTrick(std::string_view tag) {
  return tag == "bgsound" || tag == "embed" || tag == "listing" || tag == "plaintext" ||
         tag == "xmp";
}

bool changesTextStyle(std::string_view tag) {
  for (std::string_view t : {"body", "font", "table", "tr", "th", "td", "big", "small", "basefont",
                             "marquee", "span", "p", "div", "a"}) {
    if (t == tag) return true;
  }
  return false;
}

bool pushesUri(std::string_view tag) {
  for (std::string_view t : {"body", "table", "tr", "td", "a", "area", "link", "img", "frame",
                             "iframe", "embed", "script", "form", "base", "bgsound", "meta"}) {
    if (t == tag) return true;
  }
  return false;
}

// The attributes HTML.pm reads to change the text style, per (th-as-td) tag.
bool styleAttributeAllowed(std::string_view tag, std::string_view name) {
  if (tag == "basefont" || tag == "font")
    return name == "color" || name == "face" || name == "size";
  if (tag == "body")
    return name == "text" || name == "bgcolor" || name == "link" || name == "alink" ||
           name == "vlink" || name == "background";
  if (tag == "marquee") return name == "bgcolor" || name == "background";
  if (tag == "table" || tag == "td" || tag == "tr") return name == "bgcolor" || name == "style";
  if (tag == "span" || tag == "p" || tag == "div" || tag == "a") return name == "style";
  return false;
}

// ^(?:o|st\d):[\w-]+/?$: Office namespace tags, counted as elements but otherwise ignored.
bool isOfficeNamespaceTag(std::string_view tag) {
  size_t i = 0;
  if (tag.starts_with("o:")) {
    i = 2;
  } else if (tag.size() >= 4 && tag.starts_with("st") && isAsciiDigit(tag[2]) && tag[3] == ':') {
    i = 4;
  } else {
    return false;
  }
  if (!tag.empty() && tag.back() == '/') tag.remove_suffix(1);
  if (i >= tag.size()) return false;
  for (; i < tag.size(); ++i) {
    const char c = tag[i];
    if (!(isAsciiAlpha(c) || isAsciiDigit(c) || c == '_' || c == '-')) return false;
  }
  return true;
}

// One font face name of HTML.pm's font_face_bad test: ["']?[a-z][a-z -]*[a-z]\d?["']? (the
// first may also start with a dot or a space).
bool isFaceName(std::string_view s, bool first) {
  size_t i = 0;
  while (i < s.size() && isPerlSpace(s[i])) ++i;
  s.remove_prefix(i);
  if (!s.empty() && (s[0] == '"' || s[0] == '\'' || (first && s[0] == '.'))) s.remove_prefix(1);
  if (!s.empty() && (s.back() == '"' || s.back() == '\'')) s.remove_suffix(1);
  if (!s.empty() && isAsciiDigit(s.back())) s.remove_suffix(1);
  if (s.size() < 2) return false;
  if (!(isAsciiAlpha(s[0]) || (first && s[0] == ' '))) return false;
  if (!isAsciiAlpha(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return isAsciiAlpha(c) || c == ' ' || c == '-'; });
}

bool isGoodFontFace(std::string_view face) {
  if (!face.empty() && face.back() == '\n') face.remove_suffix(1);
  if (!face.empty() && face.back() == ';') face.remove_suffix(1);
  bool first = true;
  while (true) {
    const size_t comma = face.find(',');
    if (!isFaceName(face.substr(0, comma), first)) return false;
    if (comma == std::string_view::npos) return true;
    face.remove_prefix(comma + 1);
    first = false;
  }
}

// ^(\d+)(%)?$ with the percentage scaled by `percent_scale`; 0 when it does not match.
double imageDimension(const std::optional<std::string>& value, double percent_scale) {
  if (!value) return 0;
  std::string_view v = *value;
  if (!v.empty() && v.back() == '\n') v.remove_suffix(1);
  bool percent = false;
  if (!v.empty() && v.back() == '%') {
    percent = true;
    v.remove_suffix(1);
  }
  if (v.empty() || !std::all_of(v.begin(), v.end(), isAsciiDigit)) return 0;
  double n = 0;
  for (char c : v) n = n * 10 + (c - '0');
  return percent ? n * percent_scale : n;
}

// ^\s*([+-]\d+) (relative, signed) or ^\s*(\d+).
std::optional<double> leadingNumber(const std::optional<std::string>& value, bool signed_only) {
  if (!value) return std::nullopt;
  std::string_view v = *value;
  size_t i = 0;
  while (i < v.size() && isPerlSpace(v[i])) ++i;
  double sign = 1;
  if (signed_only) {
    if (i >= v.size() || (v[i] != '+' && v[i] != '-')) return std::nullopt;
    sign = v[i] == '-' ? -1 : 1;
    ++i;
  }
  if (i >= v.size() || !isAsciiDigit(v[i])) return std::nullopt;
  double n = 0;
  while (i < v.size() && isAsciiDigit(v[i])) n = n * 10 + (v[i++] - '0');
  return sign * n;
}

constexpr size_t kMaxUriLength = 8192;  // Mail::SpamAssassin::Constants::MAX_URI_LENGTH

// ---------------------------------------------------------------------------------------------
// Mail::SpamAssassin::HTML's handlers: what it measures from the parser's events.

using Attributes = std::vector<std::pair<std::string, std::optional<std::string>>>;

const std::optional<std::string>* findAttribute(const Attributes& attrs, std::string_view name) {
  for (const auto& [key, value] : attrs) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::string attributeText(const Attributes& attrs, std::string_view name) {
  const auto* value = findAttribute(attrs, name);
  return value && *value ? **value : std::string();
}

struct TextStyle {
  std::string tag;
  std::string fg = "#000000";
  std::string bg = "#ffffff";
  double size = 3;
  std::string display;
  std::string visibility;
};

class HtmlMeasurer {
 public:
  explicit HtmlMeasurer(HtmlDocumentFacts& out) : out_(out) {
    out_.values["html"] = 1;
    styles_.push_back(TextStyle{"default"});
    ++style_tags_["default"];
  }

  long insideCount(std::string_view tag) const {
    auto it = out_.inside.find(tag);
    return it == out_.inside.end() ? 0 : it->second;
  }

  void start(const std::string& tag, Attributes& attrs) { onTag(tag, &attrs, 1); }
  void end(const std::string& tag) { onTag(tag, nullptr, -1); }

  void text(std::string_view text) {
    if (insideCount("script") > 0) {
      out_.scripts.emplace_back(text);
      return;
    }
    if (insideCount("style") > 0) return;
    if (insideCount("a") > 0 && !out_.anchors.empty()) out_.anchors.back().append(text);
    if (insideCount("title") > 0 && !out_.titles.empty()) out_.titles.back().append(text);

    // Perl keeps a text in bytes unless the document was decoded to characters or a reference
    // in it stood for a character above U+00FF; the regexes below read it accordingly.
    const bool unicode = document_unicode_ || hasCodePointAboveLatin1(text);
    bool invisible = false;
    if (std::any_of(text.begin(), text.end(), [](char c) { return !isHtmlSpace(c); }))
      invisible = fontInvisible(text);
    if (has_piece_) countSplitWords(text, unicode);
    displayText(text, false, invisible, unicode);
  }

  void comment(std::string_view text) { out_.comments.emplace_back(text); }

  void declaration(std::string_view text) {
    if (text.size() >= 9 && iequals(text.substr(0, 9), "<!doctype")) {
      ++elements_;
      ++tags_;
      out_.inside["!doctype"] = 0;
    }
  }

  void finish(size_t decoded_size) {
    auto& v = out_.values;
    if (uri_truncated_) v["uri_truncated"] = 1;
    v["image_area"] = image_area_;
    v["length"] = static_cast<double>(length_);
    v["min_size"] = min_size_;
    v["max_size"] = max_size_;
    if (tags_ > 0) v["closed_extra_ratio"] = static_cast<double>(closed_extra_) / tags_;
    if (!backhair_.empty()) v["backhair_count"] = static_cast<double>(backhair_.size());
    if (elements_ > 0 && tags_ > 0)
      v["bad_tag_ratio"] = static_cast<double>(tags_ - elements_) / tags_;
    if (elements_seen_ > 0 && tags_seen_ > 0)
      v["non_element_ratio"] = static_cast<double>(tags_seen_ - elements_seen_) / tags_seen_;
    if (tags_ > 0 && obfuscation_ > 0)
      v["obfuscation_ratio"] = static_cast<double>(obfuscation_) / tags_;
    // The rendered text is characters when any piece of it is.
    const size_t spaces = rendered_spaces_ + (rendered_unicode_ ? rendered_unicode_spaces_ : 0);
    v["html_length"] = static_cast<double>(rendered_length_);
    v["non_space_len"] = static_cast<double>(rendered_length_ - spaces);
    if (decoded_size > 0) {
      v["ratio"] = (static_cast<double>(decoded_size) - static_cast<double>(rendered_length_)) /
                   static_cast<double>(decoded_size);
    }
  }

  void setLength(size_t length) { length_ = length; }
  void setUnicodeDocument(bool unicode) { document_unicode_ = unicode; }

 private:
  void onTag(const std::string& tag, Attributes* attrs, int num) {
    const bool office = isOfficeNamespaceTag(tag);
    const bool element = elementNames().count(tag) > 0;
    auto it = out_.inside.find(tag);
    const bool seen = it != out_.inside.end();
    if (element || office) {
      ++elements_;
      if (!seen) ++elements_seen_;
    }
    ++tags_;
    if (!seen) ++tags_seen_;
    long& count = seen ? it->second : out_.inside[tag];
    count += num;
    if (count < 0) {
      count = 0;
      ++closed_extra_;
    }
    if (office || !(element || isTrick(tag))) return;

    static const Attributes kNoAttributes;
    const Attributes& a = attrs ? *attrs : kNoAttributes;
    if (changesTextStyle(tag)) textStyle(tag, a, num);
    whitespace(tag);
    if (num == 1) {
      if (pushesUri(tag)) uris(tag, *attrs);
      tests(tag, *attrs);
    }
  }

  void whitespace(std::string_view tag) {
    if (tag == "br" || tag == "div") {
      displayText("\n", true, false, false);
    } else if (tag == "li" || tag == "th" || tag == "td" || tag == "dd" || tag == "dt" ||
               tag == "embed" || (tag.size() == 2 && tag[0] == 'h' && isAsciiDigit(tag[1]))) {
      displayText(" ", true, false, false);
    } else if (tag == "p" || tag == "hr" || tag == "blockquote" || tag == "pre" ||
               tag == "listing" || tag == "plaintext" || tag == "xmp" || tag == "title") {
      displayText("\n\n", true, false, false);
    }
  }

  // --- text style stack

  bool styleOpen(const std::string& tag) const {
    auto it = style_tags_.find(tag);
    return it != style_tags_.end() && it->second > 0;
  }

  void popStyle() {
    --style_tags_[styles_.back().tag];
    styles_.pop_back();
  }

  void pushStyle(TextStyle style) {
    ++style_tags_[style.tag];
    styles_.push_back(std::move(style));
  }

  void textStyle(std::string tag, const Attributes& attrs, int num) {
    if (tag == "th") tag = "td";
    if (num != 1) {
      if (tag != "body" && styleOpen(tag)) {
        while (styles_.size() > 1) {
          const bool last = styles_.back().tag == tag;
          popStyle();
          if (last) break;
        }
      }
      return;
    }
    if (tag == "basefont") {
      if (auto size = leadingNumber(attributeValue(attrs, "size"), false)) {
        basefont_ = *size;
        return;
      }
    }
    if ((tag == "td" || tag == "tr") && styleOpen(tag)) {
      while (styles_.size() > 1) {
        const std::string& top = styles_.back().tag;
        const bool closes = (tag == "td" && (top == "font" || top == "td")) ||
                            (tag == "tr" && (top == "font" || top == "td" || top == "tr"));
        if (!closes) break;
        popStyle();
      }
    }
    TextStyle next = styles_.back();
    next.tag = tag;
    if (tag == "big" || tag == "small") {
      next.size += tag == "big" ? 1 : -1;
      pushStyle(std::move(next));
      return;
    }
    for (const auto& [name, value] : attrs) {
      if (!styleAttributeAllowed(tag, name)) continue;
      if (name == "text" || name == "color") {
        next.fg = nameToRgb(value.value_or(""));
      } else if (name == "size") {
        if (auto relative = leadingNumber(value, true)) {
          next.size = basefont_ + *relative;
        } else if (auto absolute = leadingNumber(value, false)) {
          next.size = *absolute;
        }
      } else if (name == "style") {
        applyStyleAttribute(value.value_or(""), next);
      }
      if (next.size > max_size_) {
        max_size_ = next.size;
      } else if (next.size < min_size_) {
        min_size_ = next.size;
      }
    }
    pushStyle(std::move(next));
  }

  static std::optional<std::string> attributeValue(const Attributes& attrs, std::string_view name) {
    const auto* value = findAttribute(attrs, name);
    return value ? *value : std::nullopt;
  }

  void applyStyleAttribute(std::string_view style, TextStyle& next) {
    size_t start = 0;
    while (start <= style.size()) {
      size_t semi = style.find(';', start);
      if (semi == std::string_view::npos) semi = style.size();
      applyDeclaration(style.substr(start, semi - start), next);
      start = semi + 1;
    }
    if (next.bg == "transparent") next.bg = styles_.back().bg;
    if (next.fg == "transparent") next.fg = next.bg;
  }

  void applyDeclaration(std::string_view part, TextStyle& next) {
    size_t i = 0;
    while (i < part.size() && isPerlSpace(part[i])) ++i;
    std::string_view rest = part.substr(i);
    bool background = false;
    if (rest.size() >= 11 && iequals(rest.substr(0, 11), "background-")) {
      background = true;
      rest.remove_prefix(11);
    }
    if (rest.size() >= 6 && iequals(rest.substr(0, 6), "color:")) {
      if (auto value = declarationValue(rest.substr(6), false)) {
        applyColor(toLower(*value), background ? next.bg : next.fg);
        return;
      }
    }
    std::string_view after_space = part.substr(i);
    if (after_space.starts_with("background:")) {
      if (auto value = declarationValue(after_space.substr(11), false)) {
        for (const std::string& token : lastBackgroundLayer(toLower(*value))) {
          std::string color = nameToRgb(token);
          if (color != kInvalid) {
            next.bg = std::move(color);
            break;
          }
        }
        return;
      }
    }
    size_t n = 0;
    while (n < after_space.size() &&
           (isAsciiAlpha(after_space[n]) || after_space[n] == '_' || after_space[n] == '-'))
      ++n;
    if (n == 0) return;
    size_t colon = n;
    while (colon < after_space.size() && isPerlSpace(after_space[colon])) ++colon;
    if (colon >= after_space.size() || after_space[colon] != ':') return;
    auto value = declarationValue(after_space.substr(colon + 1), true);
    if (!value) return;
    const std::string_view property = after_space.substr(0, n);
    if (property == "display") next.display = std::string(*value);
    if (property == "visibility") next.visibility = std::string(*value);
  }

  static void applyColor(std::string value, std::string& target) {
    // CSS3 "!important" is not part of the colour (SpamAssassin bug 7892).
    if (value.ends_with("important")) {
      size_t p = value.size() - 9;
      while (p > 0 && isPerlSpace(value[p - 1])) --p;
      if (p > 0 && value[p - 1] == '!') {
        --p;
        while (p > 0 && isPerlSpace(value[p - 1])) --p;
        value.resize(p);
      }
    }
    if (value.find("rgb") != std::string::npos) {
      std::string digits;
      for (char c : value) {
        if (isAsciiDigit(c) || c == ',') digits += c;
      }
      std::array<double, 3> rgb{};
      size_t k = 0, pos = 0;
      while (k < 3 && pos <= digits.size()) {
        size_t comma = digits.find(',', pos);
        if (comma == std::string::npos) comma = digits.size();
        double v = 0;
        for (size_t j = pos; j < comma; ++j) v = std::min(v * 10 + (digits[j] - '0'), 1e9);
        rgb[k++] = std::min(v, 255.0);
        pos = comma + 1;
      }
      char buf[16];
      std::snprintf(buf, sizeof buf, "#%02x%02x%02x", static_cast<int>(rgb[0]),
                    static_cast<int>(rgb[1]), static_cast<int>(rgb[2]));
      target = buf;
    } else if (value == "inherit") {
      // CSS3 keeps the parent's colour (SpamAssassin bug 7778).
    } else if (value == "transparent") {
      target = value;
    } else {
      target = nameToRgb(value);
    }
  }

  // HTML.pm's html_font_invisible: whether text in the current style cannot be seen.
  bool fontInvisible(std::string_view text) {
    const TextStyle& style = styles_.back();
    if (lastSix(style.fg) == lastSix(style.bg)) {
      lowContrast(style, 0, text);
      return true;
    }
    if (auto fg = rgbChannels(style.fg)) {
      if (auto bg = rgbChannels(style.bg)) {
        const double r = (*fg)[0] - (*bg)[0];
        const double g = (*fg)[1] - (*bg)[1];
        const double b = (*fg)[2] - (*bg)[2];
        const double distance =
            std::sqrt(std::pow(0.2126 * r, 2) + std::pow(0.7152 * g, 2) + std::pow(0.0722 * b, 2));
        if (distance < 12) {
          lowContrast(style, distance, text);
          return true;
        }
      }
    }
    if (style.fg == kInvalid || style.bg == kInvalid) {
      out_.values["font_invalid_color"] = 1;
      return true;
    }
    if (style.size <= 1) return true;
    if (iequals(style.display, "none")) return true;
    return iequals(style.visibility, "hidden");
  }

  void lowContrast(const TextStyle& style, double distance, std::string_view text) {
    out_.values["font_low_contrast"] = 1;
    if (!out_.contrast_evidence.empty()) return;
    char buf[48];
    std::snprintf(buf, sizeof buf, "contrast %.1f", distance);
    size_t cut = std::min<size_t>(text.size(), 40);
    while (cut < text.size() && cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80)
      --cut;
    std::string sample(trimPerlSpace(text.substr(0, cut)));
    out_.contrast_evidence =
        std::string(buf) + " between " + style.fg + " and " + style.bg + ": \"" + sample + "\"";
  }

  // --- rendered text

  void displayText(std::string_view text, bool whitespace, bool invisible, bool unicode) {
    std::string piece;
    if (whitespace) {
      piece = text;
      if (has_piece_ && !last_whitespace_ && !last_invisible_ && !last_piece_.empty() &&
          last_piece_.back() == ' ') {
        last_piece_.pop_back();
        --rendered_length_;
        --rendered_spaces_;
      }
    } else {
      piece.reserve(text.size());
      for (size_t i = 0; i < text.size();) {
        if (isHtmlSpace(text[i])) {
          while (i < text.size() && isHtmlSpace(text[i])) ++i;
          piece += ' ';
        } else {
          piece += text[i++];
        }
      }
      if (has_piece_ && !invisible && last_whitespace_ && !piece.empty() && piece[0] == ' ')
        piece.erase(0, 1);
    }
    for (size_t i = 0; i < piece.size();) {
      auto [cp, n] = codePointAt(piece, i);
      ++rendered_length_;
      if (cp < 0x80 && cp != '\f' && isHtmlSpace(static_cast<char>(cp))) {
        ++rendered_spaces_;
      } else if (isUnicodeSpace(cp)) {
        ++rendered_unicode_spaces_;
      }
      i += n;
    }
    rendered_unicode_ = rendered_unicode_ || unicode;
    last_unicode_ = unicode;
    last_piece_ = std::move(piece);
    last_whitespace_ = whitespace;
    last_invisible_ = invisible;
    has_piece_ = true;
  }

  // Words split by markup: a word character on each side of a tag (obfuscation), and the
  // lengths of the two halves when both are short (backhair).
  void countSplitWords(std::string_view text, bool unicode) {
    const std::string& prev = last_piece_;
    const bool prev_unicode = last_unicode_;
    if (!text.empty() && !prev.empty() && isWordPiece(codePointAt(text, 0).first, unicode) &&
        isWordPiece(codePointBefore(prev, prev.size()).first, prev_unicode))
      ++obfuscation_;
    // \b([word]{1,7})\z on the previous piece: the leftmost start with a word boundary.
    std::vector<std::pair<uint32_t, size_t>> tail;  // trailing word pieces, last first
    for (size_t end = prev.size(); end > 0 && tail.size() < 7;) {
      auto cp = codePointBefore(prev, end);
      if (!isWordPiece(cp.first, prev_unicode)) break;
      tail.push_back(cp);
      end -= cp.second;
    }
    if (tail.empty()) return;
    size_t before_len = 0;
    for (size_t k = tail.size(); k > 0; --k) {
      // A start k pieces from the end: the character before it is tail[k] or what precedes.
      size_t start_byte = prev.size();
      for (size_t j = 0; j < k; ++j) start_byte -= tail[j].second;
      const bool word_before =
          start_byte > 0 && isWordChar(codePointBefore(prev, start_byte).first, prev_unicode);
      if (word_before != isWordChar(tail[k - 1].first, prev_unicode)) {
        before_len = k;
        break;
      }
    }
    if (before_len == 0) return;
    // ^([word]{1,7})\b on this text: the longest such prefix.
    std::vector<std::pair<uint32_t, size_t>> head;
    for (size_t i = 0; i < text.size() && head.size() < 8;) {
      auto cp = codePointAt(text, i);
      if (!isWordPiece(cp.first, unicode)) break;
      head.push_back(cp);
      i += cp.second;
    }
    size_t head_bytes = 0;
    std::vector<size_t> offsets;
    for (const auto& cp : head) {
      head_bytes += cp.second;
      offsets.push_back(head_bytes);
    }
    for (size_t k = std::min<size_t>(head.size(), 7); k > 0; --k) {
      const size_t after = offsets[k - 1];
      const bool word_after =
          after < text.size() && isWordChar(codePointAt(text, after).first, unicode);
      if (word_after != isWordChar(head[k - 1].first, unicode)) {
        backhair_.insert(std::to_string(before_len) + "_" + std::to_string(k));
        return;
      }
    }
  }

  // --- URIs and tests of start tags

  std::string canonUri(std::string_view uri) {
    auto isTrimmed = [](std::string_view s, bool front) {
      if (s.empty()) return false;
      if (isPerlSpace(front ? s.front() : s.back())) return true;
      if (front) return s.starts_with("\xc2\xa0");
      return s.ends_with("\xc2\xa0");
    };
    while (isTrimmed(uri, true)) uri.remove_prefix(isPerlSpace(uri.front()) ? 1 : 2);
    while (isTrimmed(uri, false)) uri.remove_suffix(isPerlSpace(uri.back()) ? 1 : 2);
    if (codePointCount(uri) > kMaxUriLength) {
      uri_truncated_ = true;
      size_t bytes = 0;
      for (size_t n = 0; n < kMaxUriLength; ++n) bytes += codePointAt(uri, bytes).second;
      uri = uri.substr(0, bytes);
    }
    return std::string(uri);
  }

  void pushUri(std::string_view tag, std::string_view raw) {
    std::string uri = canonUri(raw);
    if (uri.empty()) return;
    if (tag == "iframe" && out_.iframe_src.empty()) out_.iframe_src = uri;
    out_.uris.push_back(std::move(uri));
  }

  // Attributes named like "x/href" (broken markup) read as the attribute itself.
  static void repairSlashedName(Attributes& attrs, std::string_view name) {
    std::optional<std::optional<std::string>> repaired;
    Attributes kept;
    for (auto& attr : attrs) {
      const std::string& key = attr.first;
      bool matches = false;
      for (size_t slash = key.find('/'); slash != std::string::npos && !matches;
           slash = key.find('/', slash + 1)) {
        matches = slash > 0 && isWordChar(static_cast<unsigned char>(key[slash - 1])) &&
                  key.compare(slash + 1, name.size(), name) == 0;
      }
      if (matches) {
        repaired = std::move(attr.second);
      } else {
        kept.push_back(std::move(attr));
      }
    }
    attrs = std::move(kept);
    if (!repaired) return;
    for (auto& [key, value] : attrs) {
      if (key == name) {
        value = std::move(*repaired);
        return;
      }
    }
    attrs.emplace_back(std::string(name), std::move(*repaired));
  }

  void uris(const std::string& tag, Attributes& attrs) {
    if (tag == "body" || tag == "table" || tag == "tr" || tag == "td") {
      if (auto v = attributeValue(attrs, "background")) pushUri(tag, *v);
    } else if (tag == "a" || tag == "area" || tag == "link") {
      repairSlashedName(attrs, "href");
      if (auto v = attributeValue(attrs, "href")) {
        std::string href = *v;
        for (size_t bom; (bom = href.find("\xef\xbb\xbf")) != std::string::npos;)
          href.erase(bom, 3);
        pushUri(tag, href);
      }
      if (auto v = attributeValue(attrs, "data-saferedirecturl")) pushUri(tag, *v);
    } else if (tag == "img" || tag == "frame" || tag == "iframe" || tag == "embed" ||
               tag == "script" || tag == "bgsound") {
      repairSlashedName(attrs, "src");
      if (auto v = attributeValue(attrs, "src")) pushUri(tag, *v);
    } else if (tag == "form") {
      if (auto v = attributeValue(attrs, "action")) pushUri(tag, *v);
    } else if (tag == "base") {
      if (auto v = attributeValue(attrs, "href"); v && !v->empty() && *v != "0")
        pushUri(tag, canonUri(*v));
    } else if (tag == "meta") {
      const auto equiv = attributeValue(attrs, "http-equiv");
      const auto content = attributeValue(attrs, "content");
      if (equiv && content && icontains(*equiv, "refresh")) {
        const std::string lc = toLower(*content);
        for (size_t at = lc.find("url"); at != std::string::npos; at = lc.find("url", at + 1)) {
          if (at > 0 && isWordChar(static_cast<unsigned char>(lc[at - 1]))) continue;
          size_t i = at + 3;
          while (i < lc.size() && isPerlSpace(lc[i])) ++i;
          if (i >= lc.size() || lc[i] != '=') continue;
          // The last "url=" wins, as the greedy ^.*\burl\s*= takes it.
          size_t last = i;
          for (size_t more = lc.find("url", i); more != std::string::npos;
               more = lc.find("url", more + 1)) {
            if (more > 0 && isWordChar(static_cast<unsigned char>(lc[more - 1]))) continue;
            size_t j = more + 3;
            while (j < lc.size() && isPerlSpace(lc[j])) ++j;
            if (j < lc.size() && lc[j] == '=') last = j;
          }
          std::string_view uri = std::string_view(*content).substr(last + 1);
          while (!uri.empty() && isPerlSpace(uri.front())) uri.remove_prefix(1);
          if (size_t semi = uri.find(';'); semi != std::string_view::npos) {
            uri = uri.substr(0, semi);
            while (!uri.empty() && isPerlSpace(uri.back())) uri.remove_suffix(1);
          }
          pushUri(tag, uri);
          break;
        }
      }
    }
  }

  void tests(const std::string& tag, const Attributes& attrs) {
    if (tag == "font") {
      if (const auto* face = findAttribute(attrs, "face")) {
        if (!*face || !isGoodFontFace(**face)) out_.values["font_face_bad"] = 1;
      }
    }
    if (tag == "img" && insideCount("a") > 0 && !out_.anchors.empty())
      out_.anchors.back() += "<img>\n";
    if (tag == "img" && findAttribute(attrs, "width") && findAttribute(attrs, "height")) {
      double width = imageDimension(*findAttribute(attrs, "width"), 8);
      double height = imageDimension(*findAttribute(attrs, "height"), 6);
      if (width <= 0) width = 200;
      if (height <= 0) height = 200;
      image_area_ += width * height;
    }
    if (tag == "form" && findAttribute(attrs, "action") &&
        icontains(attributeText(attrs, "action"), "mailto:"))
      out_.values["form_action_mailto"] = 1;
    if (tag == "object" || tag == "embed") out_.values["embeds"] = 1;
    if (tag == "a") {
      if (const auto* href = findAttribute(attrs, "href")) canonUri(href->value_or(""));
      out_.anchors.emplace_back();
    }
    if (tag == "title") out_.titles.emplace_back();
    if (tag == "meta") {
      const auto equiv = attributeValue(attrs, "http-equiv");
      const auto content = attributeValue(attrs, "content");
      if (equiv && content && icontains(*equiv, "content-type")) {
        const std::string lc = toLower(*content);
        for (size_t at = lc.find("charset"); at != std::string::npos;
             at = lc.find("charset", at + 1)) {
          if (at > 0 && isWordChar(static_cast<unsigned char>(lc[at - 1]))) continue;
          size_t i = at + 7;
          while (i < lc.size() && isPerlSpace(lc[i])) ++i;
          if (i >= lc.size() || lc[i] != '=') continue;
          ++i;
          while (i < lc.size() && isPerlSpace(lc[i])) ++i;
          if (i < lc.size() && (lc[i] == '"' || lc[i] == '\'')) ++i;
          size_t end = i;
          while (end < lc.size() && lc[end] != '"' && lc[end] != '\'') ++end;
          if (end == i) continue;
          out_.charsets.push_back(content->substr(i, end - i));
          break;
        }
      }
    }
  }

  HtmlDocumentFacts& out_;
  std::vector<TextStyle> styles_;
  std::map<std::string, long, std::less<>> style_tags_;  // open styles per tag
  double basefont_ = 3;
  double min_size_ = 3;
  double max_size_ = 3;
  double image_area_ = 0;
  size_t length_ = 0;
  long elements_ = 0, tags_ = 0, elements_seen_ = 0, tags_seen_ = 0;
  long closed_extra_ = 0, obfuscation_ = 0;
  std::set<std::string> backhair_;
  bool uri_truncated_ = false;
  bool document_unicode_ = false;

  std::string last_piece_;
  bool has_piece_ = false;
  bool last_whitespace_ = false;
  bool last_invisible_ = false;
  bool last_unicode_ = false;
  bool rendered_unicode_ = false;
  size_t rendered_unicode_spaces_ = 0;
  size_t rendered_length_ = 0;
  size_t rendered_spaces_ = 0;
};

// ---------------------------------------------------------------------------------------------
// HTML::Parser's tokenizer (non-strict, marked sections on), reporting to the measurer.

class HtmlTokenizer {
 public:
  explicit HtmlTokenizer(HtmlMeasurer& measurer) : m_(measurer) {}

  void run(std::string_view document) {
    buf_ = document;
    size_t s = parseBuf(0);
    std::string rest(buf_.substr(s));
    // SpamAssassin closes an unclosed <style> or <script> (its bug 7437).
    for (const char* name : {"style", "script"}) {
      for (int round = 0; round < 4 && m_.insideCount(name) > 0; ++round) {
        rest += "</";
        rest += name;
        rest += ">";
        buf_ = rest;
        s = parseBuf(0);
        rest = std::string(buf_.substr(s));
      }
    }
    buf_ = rest;
    flushAtEnd();
    if (pending_end_) {
      const char* tag = pending_end_;
      pending_end_ = nullptr;
      m_.end(tag);
    }
  }

 private:
  enum MarkedSection { kNone = 0, kInclude, kRcdata, kCdata, kIgnore };

  char at(size_t i) const { return i < buf_.size() ? buf_[i] : '\0'; }

  // What report_event does before every event: the end tag of a <title> left open at the end
  // comes before the next event that is not text or a comment; marked sections to ignore
  // swallow events.
  bool deliver(bool text_or_comment) {
    if (pending_end_ && !text_or_comment) {
      const char* tag = pending_end_;
      pending_end_ = nullptr;
      if (markedSection() != kIgnore) m_.end(tag);
    }
    return markedSection() != kIgnore;
  }

  void emitText(size_t from, size_t to) {
    if (!deliver(true)) return;
    std::string_view raw = buf_.substr(from, to - from);
    if (cdata_) {
      m_.text(raw);
      return;
    }
    m_.text(decodeReferences(raw, true));
  }

  void emitComment(size_t from, size_t to) {
    if (deliver(true)) m_.comment(buf_.substr(from, to - from));
  }

  void emitOther() { deliver(false); }

  void emitEnd(std::string tag) {
    if (deliver(false)) m_.end(tag);
  }

  MarkedSection markedSection() const {
    for (int k = kIgnore; k > kNone; --k) {
      if (ms_counts_[static_cast<size_t>(k)] > 0) return static_cast<MarkedSection>(k);
    }
    return kNone;
  }

  void pushMarkedSection(MarkedSection section) {
    ms_stack_.push_back(section);
    ++ms_counts_[section];
    cdata_ = markedSection() == kCdata;
  }

  void popMarkedSection() {
    if (!ms_stack_.empty()) {
      --ms_counts_[ms_stack_.back()];
      ms_stack_.pop_back();
    }
    cdata_ = markedSection() == kCdata;
  }

  // parse_buf: consumes what it can from `s`; returns where it stopped (needing more input).
  size_t parseBuf(size_t s) {
    size_t t = s;
    const size_t end = buf_.size();
    for (;;) {
      while (literal_) {
        while (s < end && buf_[s] != '<') ++s;
        if (s == end) return t;
        const size_t end_text = s;
        ++s;
        if (at(s) != '/') continue;
        ++s;
        const char* l = literal_;
        while (*l && lower(at(s)) == *l) {
          ++s;
          ++l;
        }
        if (*l || std::string_view(literal_) == "plaintext") continue;
        const size_t name_end = s;
        while (isHtmlSpace(at(s))) ++s;
        if (at(s) != '>') continue;
        ++s;
        if (t != end_text) emitText(t, end_text);
        emitEnd(toLower(buf_.substr(end_text + 2, name_end - end_text - 2)));
        literal_ = nullptr;
        cdata_ = false;
        t = s;
      }

      while (markedSection() == kCdata || markedSection() == kRcdata) {
        while (s < end && buf_[s] != ']') ++s;
        if (at(s) == ']') {
          const size_t end_text = s;
          ++s;
          if (at(s) == ']' && at(s + 1) == '>') {
            s += 2;
            if (t != end_text) emitText(t, end_text);
            emitOther();
            t = s;
            popMarkedSection();
            continue;
          }
        }
        if (s >= end) return t;
      }

      while (s < end && buf_[s] != '<') {
        if (markedSection() != kNone && buf_[s] == ']') {
          const size_t end_text = s;
          ++s;
          if (at(s) == ']') {
            ++s;
            if (at(s) == '>') {
              ++s;
              emitText(t, end_text);
              emitOther();
              t = s;
              popMarkedSection();
              continue;
            }
          }
        }
        ++s;
      }
      if (s > end) s = end;
      if (s != t) {
        if (s < end) {
          emitText(t, s);
          t = s;
        } else {
          // Text at the end of the input: keep back trailing space or a word that may go on.
          long long k = static_cast<long long>(s) - 1;
          const auto lt = static_cast<long long>(t);
          if (isHtmlSpace(buf_[static_cast<size_t>(k)])) {
            while (k >= lt && isHtmlSpace(buf_[static_cast<size_t>(k)])) --k;
          } else {
            while (k >= lt && !isHtmlSpace(buf_[static_cast<size_t>(k)])) --k;
            while (k >= lt && isHtmlSpace(buf_[static_cast<size_t>(k)])) --k;
          }
          s = static_cast<size_t>(k + 1);
          if (s != t) emitText(t, s);
          return s;
        }
      }
      if (end - s < 3) return s;
      ++s;
      const char c = at(s);
      std::optional<size_t> next;
      if (isNameFirst(c)) {
        next = parseStart(t);
      } else if (c == '/') {
        next = parseEnd(t);
      } else if (c == '!') {
        next = parseDeclaration(t);
      } else if (c == '?') {
        next = parseProcess(t);
      }
      if (next) {
        if (*next == t) return t;
        t = s = *next;
      }
    }
  }

  // A start tag at `beg`: its end, `beg` when incomplete, nullopt when not a tag.
  std::optional<size_t> parseStart(size_t beg) {
    const size_t end = buf_.size();
    size_t s = beg + 2;
    while (s < end && isNotSpaceGt(buf_[s])) ++s;
    std::string tag = toLower(buf_.substr(beg + 1, s - beg - 1));
    while (isHtmlSpace(at(s))) ++s;
    if (s >= end) return beg;
    Attributes attrs;
    std::set<std::string, std::less<>> names;  // the first of repeated attributes counts
    auto add = [&attrs, &names](std::string name, std::optional<std::string> value) {
      if (!names.insert(name).second) return;
      attrs.emplace_back(std::move(name), std::move(value));
    };
    while (isNotSpaceGt(at(s))) {
      const size_t name_beg = s;
      ++s;
      while (s < end && isNotSpaceEqGt(buf_[s])) ++s;
      if (s >= end) return beg;
      std::string name = toLower(buf_.substr(name_beg, s - name_beg));
      while (isHtmlSpace(at(s))) ++s;
      if (s >= end) return beg;
      if (buf_[s] != '=') {
        add(std::move(name), std::nullopt);
        continue;
      }
      ++s;
      while (isHtmlSpace(at(s))) ++s;
      if (s >= end) return beg;
      if (buf_[s] == '>') {
        add(std::move(name), std::string());
        break;
      }
      std::string_view raw;
      if (buf_[s] == '"' || buf_[s] == '\'') {
        const char quote = buf_[s];
        const size_t value_beg = ++s;
        while (s < end && buf_[s] != quote) ++s;
        if (s >= end) return beg;
        raw = buf_.substr(value_beg, s - value_beg);
        ++s;
      } else {
        const size_t value_beg = s;
        while (s < end && isNotSpaceGt(buf_[s])) ++s;
        if (s >= end) return beg;
        raw = buf_.substr(value_beg, s - value_beg);
      }
      add(std::move(name), decodeReferences(raw, false));
      while (isHtmlSpace(at(s))) ++s;
      if (s >= end) return beg;
    }
    if (at(s) != '>') return std::nullopt;
    ++s;
    if (deliver(false)) m_.start(tag, attrs);
    static constexpr std::array<std::pair<const char*, bool>, 7> kLiteral = {{{"script", true},
                                                                              {"style", true},
                                                                              {"xmp", true},
                                                                              {"iframe", true},
                                                                              {"plaintext", true},
                                                                              {"title", false},
                                                                              {"textarea", false}}};
    for (const auto& [name, cdata] : kLiteral) {
      if (tag == name) {
        literal_ = name;
        cdata_ = cdata;
        break;
      }
    }
    return s;
  }

  size_t skipUntilGt(size_t s) const {
    char quote = '\0';
    char prev = ' ';
    for (; s < buf_.size(); ++s) {
      const char c = buf_[s];
      if (!quote && c == '>') return s;
      if (c == '"' || c == '\'') {
        if (c == quote) {
          quote = '\0';
        } else if (!quote && (prev == ' ' || prev == '=')) {
          quote = c;
        }
      }
      prev = c;
    }
    return buf_.size();
  }

  std::optional<size_t> parseEnd(size_t beg) {
    size_t s = beg + 2;
    if (isNotSpaceGt(at(s))) {
      const size_t name_beg = s;
      ++s;
      while (s < buf_.size() && isNotSpaceGt(buf_[s])) ++s;
      std::string tag = toLower(buf_.substr(name_beg, s - name_beg));
      s = skipUntilGt(s);
      if (s >= buf_.size()) return beg;
      emitEnd(std::move(tag));
      return s + 1;
    }
    s = skipUntilGt(s);
    if (s >= buf_.size()) return beg;
    emitComment(beg, s + 1);
    return s + 1;
  }

  // <!...>: comments, marked sections, DOCTYPE and ENTITY declarations; anything else up to
  // the next '>' is a comment.
  std::optional<size_t> parseDeclaration(size_t beg) {
    const size_t end = buf_.size();
    size_t s = beg + 2;
    if (buf_[s] == '-') {
      ++s;
      if (s >= end) return beg;
      if (buf_[s] == '-') {
        ++s;
        const size_t after = parseComment(beg, s);
        return after == s ? beg : after;
      }
      return declarationAsComment(beg, s);
    }
    if (buf_[s] == '[') {
      if (auto next = parseMarkedSection(beg)) return next;
      return declarationAsComment(beg, s);
    }
    if (buf_[s] == '>') {
      emitComment(beg, s + 1);
      return s + 1;
    }
    if (!isAsciiAlpha(buf_[s])) return declarationAsComment(beg, s);
    const size_t id = s;
    ++s;
    while (s < end && isNameChar(buf_[s])) ++s;
    if (s >= end) return beg;
    const std::string_view name = buf_.substr(id, s - id);
    if (!iequals(name, "doctype") && !iequals(name, "entity")) return declarationAsComment(beg, s);
    for (;;) {
      while (s < end && isHtmlSpace(buf_[s])) ++s;
      if (s >= end) return beg;
      const char c = buf_[s];
      if (c == '"' || c == '\'') {
        ++s;
        while (s < end && buf_[s] != c) ++s;
        if (s >= end) return beg;
        ++s;
      } else if (c == '-') {
        ++s;
        if (s >= end) return beg;
        if (buf_[s] != '-') return declarationAsComment(beg, s);
        ++s;
        for (;;) {
          while (s < end && buf_[s] != '-') ++s;
          if (s >= end) return beg;
          ++s;
          if (s >= end) return beg;
          if (buf_[s] == '-') {
            ++s;
            break;
          }
        }
      } else if (c != '>') {
        ++s;
        while (s < end && isNotSpaceGt(buf_[s])) ++s;
        if (s >= end) return beg;
      } else {
        break;
      }
    }
    ++s;
    if (deliver(false)) m_.declaration(buf_.substr(beg, s - beg));
    return s;
  }

  size_t declarationAsComment(size_t beg, size_t s) {
    while (s < buf_.size() && buf_[s] != '>') ++s;
    if (s >= buf_.size()) return beg;
    emitComment(beg, s + 1);
    return s + 1;
  }

  // After "<!--" (`body` is past it): the comment's end, or `body` when it has none yet.
  size_t parseComment(size_t beg, size_t body) {
    const size_t end = buf_.size();
    size_t s = body;
    if (comment_ends_at_gt_) {
      while (s < end && buf_[s] != '>') ++s;
      if (s >= end) return body;
      emitComment(beg, s + 1);
      return s + 1;
    }
    while (s < end) {
      while (s < end && buf_[s] != '-') ++s;
      if (s >= end) break;
      const size_t dash = s;
      ++s;
      if (at(s) == '-') {
        ++s;
        while (isHtmlSpace(at(s))) ++s;
        if (at(s) == '>') {
          emitComment(beg, s + 1);
          return s + 1;
        }
      }
      s = dash + 1;
    }
    return body;
  }

  std::optional<size_t> parseMarkedSection(size_t beg) {
    const size_t end = buf_.size();
    size_t s = beg + 3;
    MarkedSection section = kNone;
    bool named = false;
    for (;;) {
      while (isHtmlSpace(at(s))) ++s;
      while (isNameFirst(at(s))) {
        const size_t name_beg = s;
        ++s;
        while (isNameChar(at(s))) ++s;
        const std::string name = toLower(buf_.substr(name_beg, s - name_beg));
        while (isHtmlSpace(at(s))) ++s;
        if (s >= end) return beg;
        named = true;
        const MarkedSection kind = name == "include"  ? kInclude
                                   : name == "rcdata" ? kRcdata
                                   : name == "cdata"  ? kCdata
                                   : name == "ignore" ? kIgnore
                                                      : kNone;
        section = std::max(section, kind);
      }
      if (at(s) != '-') break;
      ++s;
      if (at(s) != '-') return std::nullopt;
      ++s;
      for (;;) {
        while (s < end && buf_[s] != '-') ++s;
        if (s >= end) return beg;
        ++s;
        if (at(s) == '-') {
          ++s;
          break;
        }
      }
    }
    if (at(s) != '[') return std::nullopt;
    ++s;
    pushMarkedSection(named ? section : kInclude);
    emitOther();
    return s;
  }

  std::optional<size_t> parseProcess(size_t beg) {
    for (size_t s = beg + 2; s < buf_.size(); ++s) {
      if (buf_[s] == '>') {
        emitOther();
        return s + 1;
      }
    }
    return beg;
  }

  // HTML::Parser's eof: what is left is re-read with comments ending at the first '>', then an
  // unfinished tag becomes a comment and anything else text.
  void flushAtEnd() {
    const size_t end = buf_.size();
    size_t s = 0;
    while (s < end) {
      if (literal_) {
        const std::string_view mode = literal_;
        if (mode == "plaintext" || mode == "xmp" || mode == "iframe" || mode == "textarea") break;
        if (mode == "script" || mode == "style") {
          emitEnd(std::string(mode));
        } else {
          pending_end_ = literal_;
        }
        literal_ = nullptr;
        s = parseBuf(s);
        continue;
      }
      if (!comment_ends_at_gt_ && buf_[s] == '<') {
        comment_ends_at_gt_ = true;
        s = parseBuf(s);
        continue;
      }
      if (buf_[s] == '<') {
        const char next = at(s + 1);
        if (s + 1 >= end || isNameFirst(next) || next == '/' || next == '!' || next == '?') {
          emitComment(s, end);
          s = end;
        }
      }
      break;
    }
    if (s < end) emitText(s, end);
  }

  HtmlMeasurer& m_;
  std::string_view buf_;
  const char* literal_ = nullptr;
  bool cdata_ = false;
  bool comment_ends_at_gt_ = false;
  const char* pending_end_ = nullptr;
  std::vector<MarkedSection> ms_stack_;
  std::array<size_t, 5> ms_counts_{};
};

// SpamAssassin's rewrites before parsing: &nbsp; as a space, <br/> as <br>, curly double
// quotes as straight ones.
std::string prepare(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  for (size_t i = 0; i < html.size();) {
    if (html.compare(i, 6, "&nbsp;") == 0) {
      out += ' ';
      i += 6;
    } else if (html.compare(i, 3, "\xe2\x80\x9c") == 0 || html.compare(i, 3, "\xe2\x80\x9d") == 0) {
      out += '"';
      i += 3;
    } else if (html[i] == '<') {
      // <(\w+)\s*/> becomes <$1>
      size_t j = i + 1;
      while (j < html.size() && isWordChar(static_cast<unsigned char>(html[j]))) ++j;
      size_t k = j;
      while (k < html.size() && isPerlSpace(html[k])) ++k;
      if (j > i + 1 && html.compare(k, 2, "/>") == 0) {
        out.append(html.substr(i, j - i));
        out += '>';
        i = k + 2;
      } else {
        out += '<';
        ++i;
      }
    } else {
      out += html[i++];
    }
  }
  return out;
}

// Whether `bytes` is well-formed EUC-CN (GB2312): every high byte starts a two-byte pair.
bool isEucCn(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c < 0x80) continue;
    if (c < 0xa1 || c > 0xf7 || i + 1 >= bytes.size()) return false;
    const auto d = static_cast<unsigned char>(bytes[++i]);
    if (d < 0xa1 || d > 0xfe) return false;
  }
  return true;
}

// The part's text as SpamAssassin's normalize_charset reads it: UTF-8 when it is valid UTF-8,
// else strictly in the declared charset, else (undeclared, ASCII, or not decodable) as
// Windows-1252, which cannot fail.
std::string asUtf8(std::string_view bytes, std::string_view charset) {
  if (mime::isValidUtf8(bytes)) return std::string(bytes);
  const std::string cs = toLower(charset);
  bool fallback = cs.empty() || cs == "us-ascii" || cs == "ascii" || cs == "utf-8" || cs == "utf8";
  if ((cs == "gb2312" || cs == "euc-cn") && !isEucCn(bytes)) fallback = true;
  std::string out;
  if (!fallback && mime::appendAsUtf8(bytes, charset, out) &&
      out.find("\xef\xbf\xbd") == std::string::npos)
    return out;
  out.clear();
  mime::appendAsUtf8(bytes, "windows-1252", out);
  return out;
}

}  // namespace

const double* HtmlDocumentFacts::value(std::string_view name) const {
  auto it = values.find(name);
  return it == values.end() ? nullptr : &it->second;
}

const std::vector<std::string>* HtmlDocumentFacts::texts(std::string_view name) const {
  if (name == "comment") return &comments;
  if (name == "script") return &scripts;
  if (name == "title") return &titles;
  if (name == "anchor") return &anchors;
  if (name == "uri") return &uris;
  return nullptr;
}

HtmlDocumentFacts analyzeHtml(std::string_view html, size_t decoded_size) {
  HtmlDocumentFacts facts;
  HtmlMeasurer measurer(facts);
  measurer.setLength(codePointCount(html));
  measurer.setUnicodeDocument(std::any_of(
      html.begin(), html.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }));
  HtmlTokenizer tokenizer(measurer);
  tokenizer.run(prepare(html));
  measurer.finish(decoded_size);
  return facts;
}

HtmlFacts htmlFactsOf(const mime::Message& message) {
  HtmlFacts facts;
  for (const mime::Part& part : message.parts()) {
    if (!part.children.empty() || part.is_multipart() || part.decoded.empty()) continue;
    std::string_view name = part.filename;
    bool html_name = false;
    for (std::string_view ext : {".htm", ".html", ".shtm", ".shtml"}) {
      html_name = html_name || (name.size() >= ext.size() &&
                                iequals(name.substr(name.size() - ext.size()), ext));
    }
    if (part.content_type != "text/html" && !html_name) continue;
    // SpamAssassin reads CRLF line ends as LF, except in base64 content of other than text and
    // message types.
    const bool keep_crlf = part.transfer_encoding == "base64" &&
                           !part.content_type.starts_with("text/") &&
                           !part.content_type.starts_with("message/");
    std::string decoded;
    decoded.reserve(part.decoded.size());
    for (size_t i = 0; i < part.decoded.size(); ++i) {
      if (!keep_crlf && part.decoded[i] == '\r' && i + 1 < part.decoded.size() &&
          part.decoded[i + 1] == '\n')
        continue;
      decoded += part.decoded[i];
    }
    facts.documents.push_back(analyzeHtml(asUtf8(decoded, part.charset), decoded.size()));
  }
  return facts;
}

}  // namespace portcullis::content
