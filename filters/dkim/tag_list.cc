#include "filters/dkim/tag_list.h"

#include <string>

#include "gateway/base/text.h"

namespace portcullis::dkim {

namespace {

bool isTagName(std::string_view name) {
  if (name.empty() || !isAsciiAlpha(name.front())) return false;
  for (char c : name) {
    if (!isAsciiAlpha(c) && !isAsciiDigit(c) && c != '_') return false;
  }
  return true;
}

}  // namespace

std::optional<std::vector<Tag>> parseTagList(std::string_view text) {
  std::vector<Tag> tags;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find(';', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view spec = text.substr(pos, end - pos);
    if (trim(spec).empty()) {
      // Only a trailing ';' may leave an empty spec.
      if (end < text.size() && !trim(text.substr(end + 1)).empty()) return std::nullopt;
      break;
    }
    size_t eq = spec.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    Tag tag;
    tag.name = trim(spec.substr(0, eq));
    if (!isTagName(tag.name)) return std::nullopt;
    if (findTag(tags, tag.name)) return std::nullopt;
    tag.value = trim(spec.substr(eq + 1));
    tag.value_begin = pos + eq + 1;
    tag.value_end = end;
    tags.push_back(tag);
    if (end == text.size()) break;
    pos = end + 1;
  }
  return tags;
}

const Tag* findTag(const std::vector<Tag>& tags, std::string_view name) {
  for (const auto& tag : tags) {
    if (tag.name == name) return &tag;
  }
  return nullptr;
}

std::string removeWhitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') out.push_back(c);
  }
  return out;
}

}  // namespace portcullis::dkim
