#include "gateway/web/html_text.h"

#include <cstdint>

namespace portcullis::web {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";     // U+2026

// The length of the valid UTF-8 sequence at the start of `s` and its code point; 0 when invalid.
size_t decodeUtf8(std::string_view s, uint32_t& cp) {
  auto b = [&s](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char c = b(0);
  size_t length;
  uint32_t min;
  if (c < 0x80) {
    cp = c;
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    length = 2, min = 0x80, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    length = 3, min = 0x800, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    length = 4, min = 0x10000, cp = c & 0x07;
  } else {
    return 0;
  }
  if (s.size() < length) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((b(i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return length;
}

// Characters that would change how the page reads without being visible: C0/C1 controls, DEL,
// and the bidirectional embeddings, overrides and isolates.
bool hidden(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F;
}

}  // namespace

std::string escapeHtml(std::string_view text, ShowOptions options) {
  std::string out;
  out.reserve(std::min(text.size(), options.max_chars) + 16);
  size_t shown = 0;
  while (!text.empty()) {
    if (shown == options.max_chars) {
      out += kEllipsis;
      break;
    }
    uint32_t cp = 0;
    size_t length = decodeUtf8(text, cp);
    std::string_view sequence = text.substr(0, length == 0 ? 1 : length);
    text.remove_prefix(sequence.size());
    ++shown;
    if (length == 0) {
      out += kReplacement;
    } else if (cp == '\n' || cp == '\t') {
      out += options.multiline ? static_cast<char>(cp) : ' ';
    } else if (cp == '\r') {
      if (!options.multiline) out += ' ';
    } else if (hidden(cp)) {
      out += kReplacement;
    } else if (cp == '&') {
      out += "&amp;";
    } else if (cp == '<') {
      out += "&lt;";
    } else if (cp == '>') {
      out += "&gt;";
    } else if (cp == '"') {
      out += "&quot;";
    } else if (cp == '\'') {
      out += "&#39;";
    } else {
      out += sequence;
    }
  }
  return out;
}

}  // namespace portcullis::web
