#include "gateway/digest/digest_text.h"

#include <cstdint>

namespace portcullis::digest {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";     // U+2026
constexpr size_t kEncodedWordBytes = 45;                   // raw bytes per encoded word (60 base64)
constexpr size_t kQpLine = 76;
constexpr size_t kMaxLine = 998;  // RFC 5322 §2.1.1

// The length of the valid UTF-8 sequence at `text[i]` and its code point, or 0.
size_t decodeUtf8(std::string_view text, size_t i, uint32_t& cp) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char b = byte(i);
  size_t length = b < 0x80           ? 1
                  : (b >> 5) == 0x6  ? 2
                  : (b >> 4) == 0xE  ? 3
                  : (b >> 3) == 0x1E ? 4
                                     : 0;
  if (length == 0 || i + length > text.size()) return 0;
  cp = length == 1 ? b : length == 2 ? (b & 0x1F) : length == 3 ? (b & 0x0F) : (b & 0x07);
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinimum[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return length;
}

bool isUnsafe(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

bool isPrintableAscii(std::string_view text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

}  // namespace

std::string listedText(std::string_view text, size_t max_chars) {
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < text.size();) {
    if (chars == max_chars) {
      // Cut one character earlier so the ellipsis fits in the limit.
      size_t cut = out.size();
      while (cut > 0 && (static_cast<unsigned char>(out[cut - 1]) & 0xC0) == 0x80) --cut;
      if (cut > 0) --cut;
      out.resize(cut);
      out += kEllipsis;
      return out;
    }
    uint32_t cp = 0;
    size_t length = decodeUtf8(text, i, cp);
    if (length == 0 || isUnsafe(cp)) {
      out += kReplacement;
      i += length == 0 ? 1 : length;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
    ++chars;
  }
  return out;
}

std::string headerText(std::string_view text) {
  if (isPrintableAscii(text)) return std::string(text);
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    // Whole characters only: an encoded word never splits a UTF-8 sequence.
    size_t end = std::min(text.size(), i + kEncodedWordBytes);
    while (end < text.size() && end > i && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
      --end;
    if (end == i) end = std::min(text.size(), i + kEncodedWordBytes);
    if (!out.empty()) out += "\r\n ";
    out += "=?utf-8?B?" + base64(text.substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

bool isPlain7bit(std::string_view body) {
  size_t line = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '\r' && i + 1 < body.size() && body[i + 1] == '\n') {
      line = 0;
      ++i;
      continue;
    }
    if (c < 0x20 || c > 0x7E || ++line > kMaxLine) return false;
  }
  return true;
}

std::string quotedPrintable(std::string_view body) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find("\r\n", start);
    bool last = end == std::string_view::npos;
    std::string_view line = body.substr(start, last ? std::string_view::npos : end - start);
    if (last && line.empty()) break;
    size_t column = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      auto c = static_cast<unsigned char>(line[i]);
      bool trailing_space = (c == ' ' || c == '\t') && i + 1 == line.size();
      bool literal =
          (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !trailing_space);
      std::string piece = literal ? std::string(1, static_cast<char>(c))
                                  : std::string{'=', kHex[c >> 4], kHex[c & 15]};
      if (column + piece.size() > kQpLine - 1) {  // room for the soft break's '='
        out += "=\r\n";
        column = 0;
      }
      out += piece;
      column += piece.size();
    }
    out += "\r\n";
    if (last) break;
    start = end + 2;
  }
  return out;
}

}  // namespace portcullis::digest
