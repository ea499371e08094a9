#include "gateway/mime/transfer_decoding.h"

#include <array>

#include "gateway/base/text.h"

namespace portcullis::mime {
namespace {

constexpr int kSkip = -1;
constexpr int kPad = -2;

constexpr std::array<int, 256> makeBase64Table() {
  std::array<int, 256> table{};
  for (int& v : table) v = kSkip;
  constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < alphabet.size(); ++i)
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
  table['='] = kPad;
  return table;
}

constexpr std::array<int, 256> kBase64 = makeBase64Table();

// Next line of `in` starting at `pos`: returns the line without its end and advances `pos` past it;
// `eol` receives the line end as written ("\r\n", "\n" or empty at the end of input).
std::string_view nextLine(std::string_view in, size_t& pos, std::string_view& eol) {
  size_t nl = in.find('\n', pos);
  std::string_view line;
  if (nl == std::string_view::npos) {
    line = in.substr(pos);
    eol = {};
    pos = in.size();
  } else {
    line = in.substr(pos, nl - pos);
    eol = in.substr(nl, 1);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
      eol = in.substr(nl - 1, 2);
    }
    pos = nl + 1;
  }
  return line;
}

bool append(std::string& out, char c, size_t max_out, DecodeStatus& status) {
  if (out.size() >= max_out) {
    status.truncated = true;
    return false;
  }
  out.push_back(c);
  return true;
}

bool append(std::string& out, std::string_view s, size_t max_out, DecodeStatus& status) {
  if (out.size() + s.size() > max_out) {
    out.append(s.substr(0, max_out - std::min(max_out, out.size())));
    status.truncated = true;
    return false;
  }
  out.append(s);
  return true;
}

int uuValue(char c) {
  return (static_cast<unsigned char>(c) - 32) & 63;
}

}  // namespace

DecodeStatus decodeBase64(std::string_view in, std::string& out, size_t max_out) {
  DecodeStatus status;
  out.reserve(out.size() + std::min(max_out, in.size() / 4 * 3 + 3));
  uint32_t accumulator = 0;
  int bits = 0;
  for (char c : in) {
    int v = kBase64[static_cast<unsigned char>(c)];
    if (v == kPad) break;
    if (v == kSkip) {
      if (!isAsciiSpace(c)) status.malformed = true;
      continue;
    }
    accumulator = (accumulator << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (!append(out, static_cast<char>((accumulator >> bits) & 0xff), max_out, status))
        return status;
    }
  }
  if (bits >= 6) status.malformed = true;  // a lone trailing character carries no whole byte
  return status;
}

DecodeStatus decodeQuotedPrintable(std::string_view in, std::string& out, size_t max_out,
                                   bool header_mode) {
  DecodeStatus status;
  out.reserve(out.size() + std::min(max_out, in.size()));
  size_t pos = 0;
  while (pos < in.size()) {
    std::string_view eol;
    std::string_view line = nextLine(in, pos, eol);
    if (!header_mode)
      while (!line.empty() && isBlank(line.back())) line.remove_suffix(1);
    bool soft_break = false;
    size_t i = 0;
    while (i < line.size()) {
      size_t next = line.find_first_of(header_mode ? std::string_view("=_") : "=", i);
      if (next == std::string_view::npos) next = line.size();
      if (!append(out, line.substr(i, next - i), max_out, status)) return status;
      i = next;
      if (i >= line.size()) break;
      if (line[i] == '_') {
        if (!append(out, ' ', max_out, status)) return status;
        ++i;
        continue;
      }
      if (i + 1 == line.size()) {
        soft_break = true;
        break;
      }
      int hi = hexValue(line[i + 1]);
      int lo = i + 2 < line.size() ? hexValue(line[i + 2]) : -1;
      if (hi >= 0 && lo >= 0) {
        if (!append(out, static_cast<char>(hi * 16 + lo), max_out, status)) return status;
        i += 3;
      } else {
        status.malformed = true;
        if (!append(out, '=', max_out, status)) return status;
        ++i;
      }
    }
    if (!soft_break && !append(out, eol, max_out, status)) return status;
  }
  return status;
}

DecodeStatus decodeUuencode(std::string_view in, std::string& out, size_t max_out) {
  DecodeStatus status;
  size_t pos = 0;
  while (pos < in.size()) {
    std::string_view eol;
    std::string_view line = nextLine(in, pos, eol);
    if (line.starts_with("begin ")) continue;
    if (line == "end" || line.starts_with("end ")) break;
    if (line.empty()) continue;
    size_t length = static_cast<size_t>(uuValue(line[0]));
    if (length == 0) continue;
    size_t needed = (length + 2) / 3 * 4;
    if (line.size() < 1 + needed) status.malformed = true;
    size_t written = 0;
    for (size_t i = 1; written < length; i += 4) {
      auto at = [&](size_t k) { return k < line.size() ? uuValue(line[k]) : 0; };
      int a = at(i), b = at(i + 1), c = at(i + 2), d = at(i + 3);
      char bytes[3] = {static_cast<char>((a << 2) | (b >> 4)),
                       static_cast<char>(((b & 15) << 4) | (c >> 2)),
                       static_cast<char>(((c & 3) << 6) | d)};
      for (char byte : bytes) {
        if (written == length) break;
        if (!append(out, byte, max_out, status)) return status;
        ++written;
      }
    }
  }
  return status;
}

std::vector<UuencodedBlock> findUuencodedBlocks(std::string_view text) {
  std::vector<UuencodedBlock> blocks;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t begin = text.find("begin ", pos);
    if (begin == std::string_view::npos) break;
    if (begin != 0 && text[begin - 1] != '\n') {
      pos = begin + 6;
      continue;
    }
    size_t cursor = begin;
    std::string_view eol;
    std::string_view header = nextLine(text, cursor, eol);
    // "begin" MODE(octal digits) NAME
    std::string_view rest = header.substr(6);
    size_t digits = 0;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '7') ++digits;
    if (digits < 3 || digits > 4 || digits >= rest.size() || rest[digits] != ' ') {
      pos = cursor;
      continue;
    }
    std::string_view filename = trimAsciiSpace(rest.substr(digits + 1));
    size_t lines_start = cursor;
    size_t lines_end = lines_start;
    bool ended = false;
    size_t encoded_lines = 0;
    while (cursor < text.size()) {
      size_t line_start = cursor;
      std::string_view line = nextLine(text, cursor, eol);
      if (line == "end") {
        lines_end = line_start;
        ended = true;
        break;
      }
      if (!line.empty() && line[0] > ' ' && line[0] <= '`') ++encoded_lines;
      lines_end = cursor;
    }
    if (encoded_lines > 0 && !filename.empty())
      blocks.push_back({filename, text.substr(lines_start, lines_end - lines_start)});
    pos = ended ? cursor : text.size();
  }
  return blocks;
}

}  // namespace portcullis::mime
