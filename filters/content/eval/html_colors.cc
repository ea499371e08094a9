#include "filters/content/eval/html_colors.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "filters/content/eval/html_chars.h"
#include "gateway/base/text.h"

namespace portcullis::content::html {
namespace {

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

}  // namespace

std::string nameToRgb(std::string_view raw) {
  std::string color(trimAsciiSpace(toLower(raw)));
  for (const NamedColor& named : kNamedColors) {
    if (named.name == color) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "#%06x", named.rgb);
      return buf;
    }
  }
  const bool hexish =
      std::all_of(color.begin(), color.end(), [](char c) { return c == '#' || isHexDigit(c); });
  if (!hexish && !hasRgbShape(color)) return std::string(kInvalidColor);
  if (auto p = findRgb(color, true)) {
    color = "#";
    for (uint64_t v : *p)
      color += hexByte(static_cast<uint64_t>(static_cast<double>(v) / 100 * 255));
  }
  if (auto d = findRgb(color, false)) {
    color = "#";
    for (uint64_t v : *d) color += hexByte(v);
  }
  if (color.empty() || color[0] != '#') return std::string(kInvalidColor);
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

}  // namespace portcullis::content::html
