#include "filters/attachments/file_name.h"

#include <cctype>

#include "gateway/base/text.h"

namespace portcullis::attachments {
namespace {

constexpr size_t kMaxExtensionLength = 10;

// UTF-8 of U+202A..U+202E (embeddings/overrides), U+2066..U+2069 (isolates), U+200E/U+200F.
size_t bidiControlLength(std::string_view s, size_t at) {
  if (s.size() - at < 3 || static_cast<uint8_t>(s[at]) != 0xe2) return 0;
  uint8_t b1 = s[at + 1], b2 = s[at + 2];
  if (b1 == 0x80 && ((b2 >= 0xaa && b2 <= 0xae) || b2 == 0x8e || b2 == 0x8f)) return 3;
  if (b1 == 0x81 && b2 >= 0xa6 && b2 <= 0xa9) return 3;
  return 0;
}

bool isExtension(std::string_view s) {
  if (s.empty() || s.size() > kMaxExtensionLength) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Splits "stem.ext" when ext looks like an extension; returns the extension, shortens `stem`.
std::string_view popExtension(std::string_view& stem) {
  size_t dot = stem.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  std::string_view ext = stem.substr(dot + 1);
  if (!isExtension(ext)) return {};
  stem = stem.substr(0, dot);
  while (!stem.empty() && (stem.back() == ' ' || stem.back() == '.')) stem.remove_suffix(1);
  return ext;
}

}  // namespace

FileName analyzeFileName(std::string_view name) {
  FileName out;
  size_t slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name = name.substr(slash + 1);

  std::string cleaned;
  for (size_t i = 0; i < name.size();) {
    if (size_t n = bidiControlLength(name, i)) {
      out.has_bidi_control = true;
      i += n;
      continue;
    }
    if (name[i] != '\0') cleaned.push_back(name[i]);
    ++i;
  }
  std::string_view trimmed = cleaned;
  while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '.' ||
                              std::isspace(static_cast<unsigned char>(trimmed.back())))) {
    trimmed.remove_suffix(1);
  }
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front()))) {
    trimmed.remove_prefix(1);
  }
  out.normalized = toLower(trimmed);

  std::string_view stem = out.normalized;
  out.extension = std::string(popExtension(stem));
  if (!out.extension.empty()) out.inner_extension = std::string(popExtension(stem));
  return out;
}

}  // namespace portcullis::attachments
