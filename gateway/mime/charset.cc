#include "gateway/mime/charset.h"

#include <iconv.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "gateway/base/text.h"
#include "gateway/base/utf8.h"

namespace portcullis::mime {
namespace {

// Windows-1252 code points for 0x80..0x9f (0 where the code page leaves a hole: kept as C1).
constexpr std::array<char16_t, 32> kCp1252High = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

void appendCp1252Byte(unsigned char b, std::string& out) {
  uint32_t cp = b;
  if (b >= 0x80 && b < 0xA0 && kCp1252High[b - 0x80] != 0) cp = kCp1252High[b - 0x80];
  appendCodePoint(cp, out);
}

// Length of the well-formed UTF-8 sequence at s[i], or 0 when it is not one.
size_t utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b = byte(i);
  if (b < 0x80) return 1;
  size_t n;
  uint32_t min;
  if ((b & 0xE0) == 0xC0) {
    n = 2;
    min = 0x80;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3;
    min = 0x800;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  uint32_t cp = b & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

void appendUtf8OrCp1252(std::string_view bytes, std::string& out) {
  size_t i = 0;
  while (i < bytes.size()) {
    size_t run = i;
    // ASCII runs, eight bytes at a time while no byte has its high bit set.
    for (uint64_t word; run + 8 <= bytes.size(); run += 8) {
      std::memcpy(&word, bytes.data() + run, 8);
      if (word & 0x8080808080808080ULL) break;
    }
    while (run < bytes.size() && static_cast<unsigned char>(bytes[run]) < 0x80) ++run;
    out.append(bytes.substr(i, run - i));
    i = run;
    if (i == bytes.size()) break;
    size_t n = utf8SequenceLength(bytes, i);
    if (n == 0) {
      appendCp1252Byte(static_cast<unsigned char>(bytes[i]), out);
      ++i;
    } else {
      out.append(bytes.substr(i, n));
      i += n;
    }
  }
}

// Per-thread cache of iconv converters to UTF-8, keyed by lowercased charset name.
class ConverterCache {
 public:
  ~ConverterCache() {
    for (auto& entry : entries_)
      if (entry.cd != invalid()) iconv_close(entry.cd);
  }
  // The converter for `name`, or invalid() when iconv does not know it.
  iconv_t get(const std::string& name) {
    for (auto& entry : entries_)
      if (entry.name == name) return entry.cd;
    iconv_t cd = iconv_open("UTF-8", name.c_str());
    if (entries_.size() >= kMaxEntries) {
      if (entries_.front().cd != invalid()) iconv_close(entries_.front().cd);
      entries_.erase(entries_.begin());
    }
    entries_.push_back({name, cd});
    return cd;
  }
  static iconv_t invalid() { return reinterpret_cast<iconv_t>(-1); }

 private:
  static constexpr size_t kMaxEntries = 16;
  struct Entry {
    std::string name;
    iconv_t cd;
  };
  std::vector<Entry> entries_;
};

std::string canonicalCharsetName(std::string_view charset) {
  charset = trimAsciiSpace(charset);
  while (!charset.empty() && (charset.front() == '"' || charset.front() == '\''))
    charset.remove_prefix(1);
  while (!charset.empty() && (charset.back() == '"' || charset.back() == '\''))
    charset.remove_suffix(1);
  std::string name = toLower(charset);
  // Names mailers use that glibc spells differently (or supersets that decode more).
  if (name == "ks_c_5601-1987" || name == "ks_c_5601" || name == "euc-kr") return "cp949";
  if (name == "gb2312" || name == "gbk" || name == "x-gbk" || name == "cp936") return "gb18030";
  if (name == "x-sjis" || name == "shift-jis" || name == "sjis") return "shift_jis";
  if (name == "x-euc-jp") return "euc-jp";
  if (name == "tis-620") return "cp874";
  if (name.starts_with("x-mac-")) return "mac" + name.substr(6);
  return name;
}

bool isUtf8Family(const std::string& name) {
  return name.empty() || name == "utf-8" || name == "utf8" || name == "us-ascii" ||
         name == "ascii" || name == "ansi_x3.4-1968" || name == "unknown-8bit" ||
         name == "x-unknown" || name == "default";
}

bool isLatin1Family(const std::string& name) {
  return name == "iso-8859-1" || name == "iso8859-1" || name == "latin1" ||
         name == "windows-1252" || name == "cp1252" || name == "iso_8859-1" || name == "l1";
}

void convertWithIconv(iconv_t cd, std::string_view bytes, std::string& out) {
  iconv(cd, nullptr, nullptr, nullptr, nullptr);
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  size_t start = out.size();
  out.resize(start + bytes.size() * 2 + 16);
  char* dst = out.data() + start;
  size_t dst_left = out.size() - start;
  while (in_left > 0) {
    size_t rc = iconv(cd, &in, &in_left, &dst, &dst_left);
    if (rc != static_cast<size_t>(-1)) break;
    size_t used = static_cast<size_t>(dst - out.data());
    if (errno == E2BIG || dst_left < 8) {
      out.resize(out.size() + in_left * 2 + 64);
      dst = out.data() + used;
      dst_left = out.size() - used;
      if (errno == E2BIG) continue;
    }
    // Invalid or incomplete sequence: one replacement character, then go on after the byte.
    std::memcpy(dst, "\xEF\xBF\xBD", 3);
    dst += 3;
    dst_left -= 3;
    ++in;
    --in_left;
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
  }
  out.resize(static_cast<size_t>(dst - out.data()));
}

}  // namespace

bool isValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool appendAsUtf8(std::string_view bytes, std::string_view charset, std::string& out) {
  std::string name = canonicalCharsetName(charset);
  if (isUtf8Family(name)) {
    appendUtf8OrCp1252(bytes, out);
    return true;
  }
  if (isLatin1Family(name)) {
    out.reserve(out.size() + bytes.size());
    for (char c : bytes) {
      if (static_cast<unsigned char>(c) < 0x80)
        out.push_back(c);
      else
        appendCp1252Byte(static_cast<unsigned char>(c), out);
    }
    return true;
  }
  thread_local ConverterCache cache;
  iconv_t cd = cache.get(name);
  if (cd == ConverterCache::invalid()) {
    out.append(bytes);
    return false;
  }
  convertWithIconv(cd, bytes, out);
  return true;
}

}  // namespace portcullis::mime
