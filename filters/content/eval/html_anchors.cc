#include "filters/content/eval/html_anchors.h"

#include "gateway/base/text.h"
#include "gateway/mime/html_entities.h"

namespace portcullis::content {
namespace {

constexpr size_t kMaxAnchorText = 64 << 10;  // bytes kept per anchor text

bool isTagOrAttributeNameChar(char c) {
  return !isAsciiSpace(c) && c != '>' && c != '/' && c != '=' && c != '<';
}

// One start or end tag: its lowercased name and, for a start tag, the attributes that matter.
struct Tag {
  std::string name;
  bool end = false;
  bool has_href = false;
  std::string href;  // references decoded
  size_t longest_uri_attribute = 0;
};

// Parses the tag starting at `at` (html[at] == '<'); returns the position after its '>'.
size_t parseTag(std::string_view html, size_t at, Tag& tag) {
  size_t i = at + 1;
  if (i < html.size() && html[i] == '/') {
    tag.end = true;
    ++i;
  }
  while (i < html.size() && isTagOrAttributeNameChar(html[i]))
    tag.name.push_back(asciiLower(html[i++]));
  while (i < html.size() && html[i] != '>') {
    if (isAsciiSpace(html[i]) || html[i] == '/') {
      ++i;
      continue;
    }
    std::string name;
    while (i < html.size() && isTagOrAttributeNameChar(html[i]))
      name.push_back(asciiLower(html[i++]));
    if (name.empty()) {
      ++i;
      continue;
    }
    while (i < html.size() && isAsciiSpace(html[i])) ++i;
    std::string_view value;
    if (i < html.size() && html[i] == '=') {
      ++i;
      while (i < html.size() && isAsciiSpace(html[i])) ++i;
      if (i < html.size() && (html[i] == '"' || html[i] == '\'')) {
        const char quote = html[i++];
        const size_t close = html.find(quote, i);
        const size_t end = close == std::string_view::npos ? html.size() : close;
        value = html.substr(i, end - i);
        i = close == std::string_view::npos ? end : end + 1;
      } else {
        const size_t start = i;
        while (i < html.size() && !isAsciiSpace(html[i]) && html[i] != '>') ++i;
        value = html.substr(start, i - start);
      }
    }
    if (name == "href" || name == "src" || name == "background" || name == "action") {
      std::string_view trimmed = trimAsciiSpace(value);
      tag.longest_uri_attribute = std::max(tag.longest_uri_attribute, trimmed.size());
    }
    if (name == "href" && !tag.has_href) {
      tag.has_href = true;
      std::string decoded;
      mime::appendWithEntitiesDecoded(value, decoded);
      tag.href = std::string(trimAsciiSpace(decoded));
      if (tag.href.size() > kMaxUriLength) tag.href.resize(kMaxUriLength);
    }
  }
  return i < html.size() ? i + 1 : html.size();
}

// Where the element `name` ends ("</name"), or the end of the document.
size_t skipRawText(std::string_view html, size_t from, std::string_view name) {
  for (size_t at = html.find("</", from); at != std::string_view::npos;
       at = html.find("</", at + 2)) {
    if (istartsWith(html.substr(at + 2), name)) return at;
  }
  return html.size();
}

}  // namespace

HtmlAnchors htmlAnchors(std::string_view html) {
  HtmlAnchors out;
  long inside_a = 0;
  std::vector<std::string>* current = nullptr;  // the text list of the last <a>
  auto addText = [&](std::string_view text) {
    if (inside_a <= 0 || !current || current->back().size() >= kMaxAnchorText) return;
    mime::appendWithEntitiesDecoded(text, current->back());
  };
  size_t at = 0;
  while (at < html.size()) {
    const size_t lt = html.find('<', at);
    if (lt == std::string_view::npos) {
      addText(html.substr(at));
      break;
    }
    addText(html.substr(at, lt - at));
    if (html.substr(lt).starts_with("<!--")) {
      const size_t close = html.find("-->", lt + 4);
      at = close == std::string_view::npos ? html.size() : close + 3;
      continue;
    }
    const char next = lt + 1 < html.size() ? html[lt + 1] : '\0';
    if (next == '!' || next == '?') {
      const size_t close = html.find('>', lt);
      at = close == std::string_view::npos ? html.size() : close + 1;
      continue;
    }
    if (!(isAsciiAlpha(next) ||
          (next == '/' && lt + 2 < html.size() && isAsciiAlpha(html[lt + 2])))) {
      addText("<");
      at = lt + 1;
      continue;
    }
    Tag tag;
    at = parseTag(html, lt, tag);
    if (tag.longest_uri_attribute > kMaxUriLength) out.uri_truncated = true;
    if (tag.end) {
      if (tag.name == "a" && inside_a > 0) --inside_a;
      continue;
    }
    if (tag.name == "script" || tag.name == "style") {
      at = skipRawText(html, at, tag.name);
    } else if (tag.name == "img" && inside_a > 0 && current) {
      current->back().append("<img>\n");
    } else if (tag.name == "a") {
      ++inside_a;
      current = &out.anchor_texts[tag.has_href ? tag.href : std::string()];
      current->emplace_back();
    }
  }
  return out;
}

}  // namespace portcullis::content
