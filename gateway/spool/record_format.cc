#include "gateway/spool/record_format.h"

#include <openssl/evp.h>

#include <charconv>

#include "gateway/base/ascii.h"

namespace portcullis::spool {

namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr std::string_view kChecksumKey = "sha256 ";
constexpr size_t kDigestHexLength = 64;
constexpr size_t kChecksumLineLength = kChecksumKey.size() + kDigestHexLength + 1;

bool needsEscape(unsigned char c) {
  return c < 0x20 || c == 0x7F || c == '%';
}

std::string sha256Hex(std::initializer_list<std::string_view> pieces) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  for (auto piece : pieces) EVP_DigestUpdate(ctx, piece.data(), piece.size());
  EVP_DigestFinal_ex(ctx, digest, &length);
  EVP_MD_CTX_free(ctx);
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return hex;
}

}  // namespace

std::string escapeValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    if (needsEscape(c)) {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

bool unescapeValue(std::string_view escaped, std::string& out) {
  out.clear();
  out.reserve(escaped.size());
  for (size_t i = 0; i < escaped.size(); ++i) {
    auto c = static_cast<unsigned char>(escaped[i]);
    if (c == '%') {
      if (i + 2 >= escaped.size()) return false;
      int hi = hexValue(escaped[i + 1]);
      int lo = hexValue(escaped[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c < 0x20 || c == 0x7F) {
      return false;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return true;
}

RecordWriter::RecordWriter(std::string_view magic_line) {
  text_.append(magic_line);
  text_.push_back('\n');
}

void RecordWriter::field(std::string_view key, std::string_view value) {
  text_.append(key);
  text_.push_back(' ');
  text_.append(escapeValue(value));
  text_.push_back('\n');
}

void RecordWriter::number(std::string_view key, int64_t value) {
  field(key, std::to_string(value));
}

void RecordWriter::blobHeader(std::string_view key, uint64_t length) {
  field(key, std::to_string(length));
}

std::string checksumLine(std::initializer_list<std::string_view> pieces) {
  std::string line(kChecksumKey);
  line.append(sha256Hex(pieces));
  line.push_back('\n');
  return line;
}

Result<std::string_view> verifyChecksum(std::string_view file) {
  using R = Result<std::string_view>;
  if (file.size() < kChecksumLineLength) return R::failure("file too short for a checksum line");
  std::string_view content = file.substr(0, file.size() - kChecksumLineLength);
  std::string_view trailer = file.substr(content.size());
  if (!content.empty() && content.back() != '\n') {
    return R::failure("checksum line missing (file truncated?)");
  }
  if (trailer.substr(0, kChecksumKey.size()) != kChecksumKey || trailer.back() != '\n') {
    return R::failure("checksum line missing (file truncated?)");
  }
  std::string_view stored = trailer.substr(kChecksumKey.size(), kDigestHexLength);
  if (stored != sha256Hex({content})) return R::failure("checksum mismatch (file damaged)");
  return R::success(content);
}

Status RecordReader::expectMagic(std::string_view expected_magic_line) {
  std::string_view line;
  if (!takeLine(line)) return Status::failure("empty file");
  if (line != expected_magic_line) {
    auto space = expected_magic_line.find(' ');
    auto kind = expected_magic_line.substr(0, space);
    if (line.substr(0, kind.size() + 1) == std::string(kind) + " ") {
      return Status::failure(errorAt("unsupported format version '" +
                                     escapeValue(line.substr(kind.size() + 1)) + "'"));
    }
    return Status::failure(errorAt("not a " + std::string(kind) + " file (bad magic line)"));
  }
  return Status::success();
}

bool RecordReader::takeLine(std::string_view& line) {
  if (rest_.empty()) return false;
  auto end = rest_.find('\n');
  if (end == std::string_view::npos) {
    ++line_;
    error_ = errorAt("line not terminated");
    return false;
  }
  line = rest_.substr(0, end);
  rest_.remove_prefix(end + 1);
  ++line_;
  return true;
}

bool RecordReader::next(std::string& key, std::string& value) {
  std::string_view line;
  if (!takeLine(line)) return false;
  auto space = line.find(' ');
  if (space == std::string_view::npos || space == 0) {
    error_ = errorAt("expected 'key value'");
    return false;
  }
  key.assign(line.substr(0, space));
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      error_ = errorAt("bad field name");
      return false;
    }
  }
  if (!unescapeValue(line.substr(space + 1), value)) {
    error_ = errorAt("bad escape in value of '" + key + "'");
    return false;
  }
  return true;
}

Result<std::string_view> RecordReader::blob(std::string_view length_text) {
  using R = Result<std::string_view>;
  uint64_t length = 0;
  if (!parseUnsigned(length_text, length)) return R::failure(errorAt("bad blob length"));
  if (length >= rest_.size() || rest_[length] != '\n') {
    return R::failure(errorAt("blob of " + std::to_string(length) + " bytes is truncated"));
  }
  std::string_view bytes = rest_.substr(0, length);
  rest_.remove_prefix(length + 1);
  for (char c : bytes) {
    if (c == '\n') ++line_;
  }
  ++line_;
  return R::success(bytes);
}

std::string RecordReader::errorAt(std::string_view what) const {
  return "line " + std::to_string(line_) + ": " + std::string(what);
}

bool parseUnsigned(std::string_view text, uint64_t& out) {
  if (text.empty() || text.size() > 20) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool parseSigned(std::string_view text, int64_t& out) {
  if (text.empty() || text.size() > 20) return false;
  size_t start = text[0] == '-' ? 1 : 0;
  if (start == text.size()) return false;
  for (size_t i = start; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace portcullis::spool
