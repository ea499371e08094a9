#include "filters/content/text_parts.h"

#include <algorithm>

#include "filters/content/pattern_rewrite.h"

namespace portcullis::content {

TextParts::TextParts(std::string_view text) {
  for (size_t at = 0; at < text.size();) {
    const size_t eol = text.find('\n', at);
    const size_t end = eol == std::string_view::npos ? text.size() : eol + 1;
    const std::string_view piece = text.substr(at, end - at);
    Part& part = isPlainText(piece) ? plain : other;
    part.starts.emplace_back(part.text.size(), at);
    part.text.append(piece);
    at = end;
  }
}

size_t TextParts::Part::inText(size_t end) const {
  if (starts.empty()) return end;
  const size_t last_byte = end ? end - 1 : 0;
  const auto after =
      std::upper_bound(starts.begin(), starts.end(), last_byte,
                       [](size_t offset, const auto& start) { return offset < start.first; });
  const auto& [in_part, in_text] = *(after - 1);
  return in_text + (end - in_part);
}

}  // namespace portcullis::content
