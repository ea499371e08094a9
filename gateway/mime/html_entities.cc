#include "gateway/mime/html_entities.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "gateway/base/text.h"
#include "gateway/base/utf8.h"

namespace portcullis::mime {
namespace {

struct Entity {
  std::string_view name;
  uint32_t code_point;
};

// The named references seen in mail (Latin-1 set, typography, a few symbols); sorted by name.
constexpr std::array<Entity, 132> kEntities = {{
    {"AElig", 0xC6},    {"Aacute", 0xC1},   {"Acirc", 0xC2},    {"Agrave", 0xC0},
    {"Aring", 0xC5},    {"Atilde", 0xC3},   {"Auml", 0xC4},     {"Ccedil", 0xC7},
    {"Dagger", 0x2021}, {"ETH", 0xD0},      {"Eacute", 0xC9},   {"Ecirc", 0xCA},
    {"Egrave", 0xC8},   {"Euml", 0xCB},     {"Iacute", 0xCD},   {"Icirc", 0xCE},
    {"Igrave", 0xCC},   {"Iuml", 0xCF},     {"Ntilde", 0xD1},   {"Oacute", 0xD3},
    {"Ocirc", 0xD4},    {"Ograve", 0xD2},   {"Oslash", 0xD8},   {"Otilde", 0xD5},
    {"Ouml", 0xD6},     {"THORN", 0xDE},    {"Uacute", 0xDA},   {"Ucirc", 0xDB},
    {"Ugrave", 0xD9},   {"Uuml", 0xDC},     {"Yacute", 0xDD},   {"aacute", 0xE1},
    {"acirc", 0xE2},    {"acute", 0xB4},    {"aelig", 0xE6},    {"agrave", 0xE0},
    {"amp", 0x26},      {"apos", 0x27},     {"aring", 0xE5},    {"atilde", 0xE3},
    {"auml", 0xE4},     {"bdquo", 0x201E},  {"brvbar", 0xA6},   {"bull", 0x2022},
    {"ccedil", 0xE7},   {"cedil", 0xB8},    {"cent", 0xA2},     {"circ", 0x2C6},
    {"copy", 0xA9},     {"curren", 0xA4},   {"dagger", 0x2020}, {"deg", 0xB0},
    {"divide", 0xF7},   {"eacute", 0xE9},   {"ecirc", 0xEA},    {"egrave", 0xE8},
    {"emsp", 0x2003},   {"ensp", 0x2002},   {"eth", 0xF0},      {"euml", 0xEB},
    {"euro", 0x20AC},   {"frac12", 0xBD},   {"frac14", 0xBC},   {"frac34", 0xBE},
    {"gt", 0x3E},       {"hellip", 0x2026}, {"iacute", 0xED},   {"icirc", 0xEE},
    {"iexcl", 0xA1},    {"igrave", 0xEC},   {"iquest", 0xBF},   {"iuml", 0xEF},
    {"laquo", 0xAB},    {"ldquo", 0x201C},  {"lrm", 0x200E},    {"lsaquo", 0x2039},
    {"lsquo", 0x2018},  {"lt", 0x3C},       {"macr", 0xAF},     {"mdash", 0x2014},
    {"micro", 0xB5},    {"middot", 0xB7},   {"minus", 0x2212},  {"nbsp", 0xA0},
    {"ndash", 0x2013},  {"not", 0xAC},      {"ntilde", 0xF1},   {"oacute", 0xF3},
    {"ocirc", 0xF4},    {"oelig", 0x153},   {"ograve", 0xF2},   {"ordf", 0xAA},
    {"ordm", 0xBA},     {"oslash", 0xF8},   {"otilde", 0xF5},   {"ouml", 0xF6},
    {"para", 0xB6},     {"permil", 0x2030}, {"plusmn", 0xB1},   {"pound", 0xA3},
    {"prime", 0x2032},  {"quot", 0x22},     {"raquo", 0xBB},    {"rdquo", 0x201D},
    {"reg", 0xAE},      {"rlm", 0x200F},    {"rsaquo", 0x203A}, {"rsquo", 0x2019},
    {"sbquo", 0x201A},  {"scaron", 0x161},  {"sect", 0xA7},     {"shy", 0xAD},
    {"sup1", 0xB9},     {"sup2", 0xB2},     {"sup3", 0xB3},     {"szlig", 0xDF},
    {"thinsp", 0x2009}, {"thorn", 0xFE},    {"tilde", 0x2DC},   {"times", 0xD7},
    {"trade", 0x2122},  {"uacute", 0xFA},   {"ucirc", 0xFB},    {"ugrave", 0xF9},
    {"uml", 0xA8},      {"uuml", 0xFC},     {"yacute", 0xFD},   {"yen", 0xA5},
    {"yuml", 0xFF},     {"zwj", 0x200D},    {"zwnj", 0x200C},   {"zwsp", 0x200B},
}};

constexpr bool entitiesSorted() {
  for (size_t i = 1; i < kEntities.size(); ++i)
    if (!(kEntities[i - 1].name < kEntities[i].name)) return false;
  return true;
}
static_assert(entitiesSorted(), "kEntities must stay sorted for binary search");

// Names browsers decode even without the closing ';'.
bool isLegacyBareEntity(std::string_view name) {
  return name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "nbsp" ||
         name == "copy" || name == "reg" || name == "AMP" || name == "LT" || name == "GT" ||
         name == "QUOT";
}

const Entity* findEntity(std::string_view name) {
  auto it = std::lower_bound(kEntities.begin(), kEntities.end(), name,
                             [](const Entity& e, std::string_view n) { return e.name < n; });
  if (it != kEntities.end() && it->name == name) return &*it;
  if (name == "AMP" || name == "LT" || name == "GT" || name == "QUOT")
    return findEntity(toLower(name));
  return nullptr;
}

// Decodes the reference at s[i] == '&'; returns the offset after it, or i when it is none.
size_t decodeReference(std::string_view s, size_t i, std::string& out) {
  size_t j = i + 1;
  if (j < s.size() && s[j] == '#') {
    ++j;
    bool hex = j < s.size() && (s[j] == 'x' || s[j] == 'X');
    if (hex) ++j;
    size_t digits_begin = j;
    uint32_t cp = 0;
    while (j < s.size()) {
      int v = hex ? hexValue(s[j]) : (isAsciiDigit(s[j]) ? s[j] - '0' : -1);
      if (v < 0) break;
      if (cp <= 0x10FFFF) cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
      ++j;
    }
    if (j == digits_begin) return i;
    if (j < s.size() && s[j] == ';') ++j;
    // HTML reads a reference to U+0000 as U+FFFD; appendCodePoint replaces the other invalid ones.
    appendCodePoint(cp == 0 ? kReplacementCharacter : cp, out);
    return j;
  }
  size_t name_begin = j;
  while (j < s.size() && j - name_begin < 32 && isAsciiAlnum(s[j])) ++j;
  std::string_view name = s.substr(name_begin, j - name_begin);
  if (name.empty()) return i;
  bool terminated = j < s.size() && s[j] == ';';
  if (!terminated && !isLegacyBareEntity(name)) return i;
  const Entity* entity = findEntity(name);
  if (entity == nullptr) return i;
  appendCodePoint(entity->code_point, out);
  return terminated ? j + 1 : j;
}

}  // namespace

void appendWithEntitiesDecoded(std::string_view s, std::string& out) {
  size_t i = 0;
  while (i < s.size()) {
    size_t amp = s.find('&', i);
    if (amp == std::string_view::npos) {
      out.append(s.substr(i));
      return;
    }
    out.append(s.substr(i, amp - i));
    size_t next = decodeReference(s, amp, out);
    if (next == amp) {
      out.push_back('&');
      i = amp + 1;
    } else {
      i = next;
    }
  }
}

}  // namespace portcullis::mime
