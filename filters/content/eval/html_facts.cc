#include "filters/content/eval/html_facts.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "filters/content/eval/html_anchors.h"
#include "filters/content/eval/html_chars.h"
#include "filters/content/eval/html_colors.h"
#include "filters/content/eval/html_references.h"
#include "gateway/base/text.h"
#include "gateway/mime/charset.h"
#include "gateway/mime/message.h"

namespace portcullis::content {
namespace {

using html::declarationValue;
using html::decodeReferences;
using html::isHtmlSpace;
using html::isPerlSpace;
using html::kInvalidColor;
using html::lastBackgroundLayer;
using html::lastSix;
using html::nameToRgb;
using html::rgbChannels;

// ---------------------------------------------------------------------------------------------
// Characters and small string helpers.

bool isNameFirst(char c) {
  return isAsciiAlpha(c) || c == '_' || c == ':';
}
bool isXmlNameChar(char c) {
  return isNameFirst(c) || isAsciiDigit(c) || c == '.' || c == '-';
}
bool isNotSpaceGt(char c) {
  return !isHtmlSpace(c) && c != '>';
}
bool isNotSpaceEqGt(char c) {
  return isNotSpaceGt(c) && c != '=';
}
bool icontains(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (iequals(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
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
// Element tables of HTML.pm.

// A hash set: every tag of every document is looked up here.
const std::unordered_set<std::string_view>& elementNames() {
  static const std::unordered_set<std::string_view> names = {
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
          if (color != kInvalidColor) {
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
    if (style.fg == kInvalidColor || style.bg == kInvalidColor) {
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
    std::string sample(trimAsciiSpace(text.substr(0, cut)));
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
        while (*l && asciiLower(at(s)) == *l) {
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
    while (s < end && isXmlNameChar(buf_[s])) ++s;
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
        while (isXmlNameChar(at(s))) ++s;
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
    // Bytes that start none of the forms below are copied a run at a time.
    size_t run_end = i;
    while (run_end < html.size() && html[run_end] != '&' && html[run_end] != '<' &&
           html[run_end] != '\xe2')
      ++run_end;
    out.append(html.substr(i, run_end - i));
    i = run_end;
    if (i == html.size()) break;
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
