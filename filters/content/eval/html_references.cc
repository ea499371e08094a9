#include "filters/content/eval/html_references.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <utility>

#include "filters/content/eval/html_chars.h"
#include "gateway/base/utf8.h"

namespace portcullis::content::html {
namespace {

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

}  // namespace

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
      appendCodePoint(ref->first, out);
      i = ref->second;
    } else {
      out += '&';
      i = amp + 1;
    }
  }
  return out;
}

}  // namespace portcullis::content::html
