#include "gateway/mime/encoded_word.h"

#include "gateway/base/text.h"
#include "gateway/mime/charset.h"
#include "gateway/mime/transfer_decoding.h"

namespace portcullis::mime {
namespace {

// Longer words are not encoded words (RFC 2047 allows 75 characters; mailers exceed it a bit).
constexpr size_t kMaxEncodedWordLength = 1024;

struct EncodedWord {
  std::string_view charset;
  char encoding = 0;  // 'b' or 'q'
  std::string_view payload;
  size_t end = 0;  // offset just past "?="
};

bool isTokenChar(char c) {
  return !isAsciiSpace(c) && c != '?' && static_cast<unsigned char>(c) > 32;
}

// Parses an encoded word starting at `start` (which points at "=?").
bool parseEncodedWord(std::string_view s, size_t start, EncodedWord& word) {
  size_t i = start + 2;
  size_t charset_begin = i;
  while (i < s.size() && isTokenChar(s[i])) ++i;
  if (i == charset_begin || i + 3 >= s.size() || s[i] != '?') return false;
  word.charset = s.substr(charset_begin, i - charset_begin);
  char encoding = asciiLower(s[i + 1]);
  if ((encoding != 'b' && encoding != 'q') || s[i + 2] != '?') return false;
  word.encoding = encoding;
  size_t payload_begin = i + 3;
  size_t limit = std::min(s.size(), start + kMaxEncodedWordLength);
  for (size_t k = payload_begin; k + 1 < limit; ++k) {
    if (s[k] == '?' && s[k + 1] == '=') {
      word.payload = s.substr(payload_begin, k - payload_begin);
      word.end = k + 2;
      return true;
    }
    if (isAsciiSpace(s[k]) || s[k] == '?') return false;
  }
  return false;
}

bool allWhitespace(std::string_view s) {
  for (char c : s)
    if (!isAsciiSpace(c)) return false;
  return true;
}

void appendLiteral(std::string_view text, std::string& out, HeaderTextFlags& flags) {
  for (char c : text)
    if (static_cast<unsigned char>(c) >= 0x80) {
      flags.eight_bit = true;
      break;
    }
  appendAsUtf8(text, {}, out);
}

}  // namespace

bool isPlainHeaderText(std::string_view value) {
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (static_cast<unsigned char>(c) >= 0x80) return false;
    if (c == '=' && i + 1 < value.size() && value[i + 1] == '?') return false;
  }
  return true;
}

void appendDecodedHeaderText(std::string_view value, std::string& out, HeaderTextFlags& flags) {
  if (isPlainHeaderText(value)) {
    out.append(value);
    return;
  }
  std::string pending;  // decoded bytes of the current run of adjacent same-charset words
  std::string_view pending_charset;
  bool have_pending = false;
  auto flush = [&] {
    if (!have_pending) return;
    std::string_view charset = pending_charset;
    if (size_t star = charset.find('*'); star != std::string_view::npos)
      charset = charset.substr(0, star);  // RFC 2231 language suffix
    if (!appendAsUtf8(pending, charset, out)) flags.unknown_charset = true;
    pending.clear();
    have_pending = false;
  };

  size_t i = 0;
  while (i < value.size()) {
    size_t start = value.find("=?", i);
    if (start == std::string_view::npos) break;
    EncodedWord word;
    if (!parseEncodedWord(value, start, word)) {
      flush();
      appendLiteral(value.substr(i, start + 2 - i), out, flags);
      i = start + 2;
      continue;
    }
    std::string_view between = value.substr(i, start - i);
    if (!(have_pending && allWhitespace(between))) {
      flush();
      appendLiteral(between, out, flags);
    }
    if (have_pending && !iequals(pending_charset, word.charset)) flush();
    DecodeStatus status =
        word.encoding == 'b'
            ? decodeBase64(word.payload, pending, pending.size() + word.payload.size())
            : decodeQuotedPrintable(word.payload, pending, pending.size() + word.payload.size(),
                                    true);
    if (status.malformed) flags.bad_encoded_word = true;
    pending_charset = word.charset;
    have_pending = true;
    i = word.end;
  }
  flush();
  if (i < value.size()) appendLiteral(value.substr(i), out, flags);
}

}  // namespace portcullis::mime
