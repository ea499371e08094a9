#include "gateway/mime/html_text.h"

#include "gateway/base/text.h"
#include "gateway/mime/html_entities.h"

namespace portcullis::mime {
namespace {

enum class Whitespace { None, Space, LineBreak, Paragraph };

Whitespace whitespaceOf(std::string_view tag) {
  if (tag == "br" || tag == "div") return Whitespace::LineBreak;
  if (tag == "li" || tag == "th" || tag == "td" || tag == "dt" || tag == "dd" || tag == "embed" ||
      (tag.size() == 2 && tag[0] == 'h' && tag[1] >= '1' && tag[1] <= '6'))
    return Whitespace::Space;
  if (tag == "p" || tag == "hr" || tag == "blockquote" || tag == "pre" || tag == "listing" ||
      tag == "plaintext" || tag == "xmp" || tag == "title")
    return Whitespace::Paragraph;
  return Whitespace::None;
}

// The attribute that carries a URI for this tag (besides meta refresh and base).
bool isUriAttribute(std::string_view tag, std::string_view attr) {
  if (attr == "href") return tag == "a" || tag == "area" || tag == "link";
  if (attr == "src")
    return tag == "img" || tag == "frame" || tag == "iframe" || tag == "embed" || tag == "script" ||
           tag == "bgsound" || tag == "input" || tag == "source" || tag == "video" ||
           tag == "audio";
  if (attr == "background")
    return tag == "body" || tag == "table" || tag == "tr" || tag == "td" || tag == "th";
  if (attr == "action") return tag == "form";
  if (attr == "lowsrc" || attr == "dynsrc") return tag == "img";
  if (attr == "data") return tag == "object";
  return false;
}

struct Tag {
  std::string name;  // lowercased
  bool closing = false;
  std::vector<std::pair<std::string, std::string>> attributes;  // names lowercased
  size_t end = 0;                                               // offset after '>'

  const std::string* attribute(std::string_view n) const {
    for (const auto& [key, value] : attributes)
      if (key == n) return &value;
    return nullptr;
  }
};

// More attributes than any real tag has; the rest are skipped (bounds the work per tag).
constexpr size_t kMaxAttributes = 64;

// Parses the tag at html[i] == '<' (followed by a letter or "/" and a letter).
Tag parseTag(std::string_view html, size_t i) {
  Tag tag;
  size_t j = i + 1;
  if (html[j] == '/') {
    tag.closing = true;
    ++j;
  }
  while (j < html.size() && !isAsciiSpace(html[j]) && html[j] != '>' && html[j] != '/') {
    tag.name.push_back(asciiLower(html[j]));
    ++j;
  }
  while (j < html.size() && html[j] != '>') {
    if (isAsciiSpace(html[j]) || html[j] == '/') {
      ++j;
      continue;
    }
    size_t name_begin = j;
    while (j < html.size() && !isAsciiSpace(html[j]) && html[j] != '=' && html[j] != '>' &&
           !(html[j] == '/' && j > name_begin))
      ++j;
    if (j == name_begin) {
      ++j;
      continue;
    }
    std::string name = toLower(html.substr(name_begin, j - name_begin));
    while (j < html.size() && isAsciiSpace(html[j])) ++j;
    std::string value;
    if (j < html.size() && html[j] == '=') {
      ++j;
      while (j < html.size() && isAsciiSpace(html[j])) ++j;
      std::string_view raw;
      if (j < html.size() && (html[j] == '"' || html[j] == '\'')) {
        char quote = html[j];
        size_t close = html.find(quote, j + 1);
        if (close == std::string_view::npos) close = html.size();
        raw = html.substr(j + 1, close - j - 1);
        j = close + 1;
      } else {
        size_t value_begin = j;
        while (j < html.size() && !isAsciiSpace(html[j]) && html[j] != '>') ++j;
        raw = html.substr(value_begin, j - value_begin);
      }
      appendWithEntitiesDecoded(raw, value);
    }
    if (tag.attributes.size() < kMaxAttributes)
      tag.attributes.emplace_back(std::move(name), std::move(value));
  }
  tag.end = j < html.size() ? j + 1 : html.size();
  return tag;
}

// The URL of `<meta http-equiv="refresh" content="5; url=...">`, or empty.
std::string_view refreshUrl(std::string_view content) {
  size_t semicolon = content.find(';');
  if (semicolon == std::string_view::npos) return {};
  std::string_view rest = trimAsciiSpace(content.substr(semicolon + 1));
  if (!istartsWith(rest, "url")) return {};
  rest = trimAsciiSpace(rest.substr(3));
  if (rest.empty() || rest.front() != '=') return {};
  rest = trimAsciiSpace(rest.substr(1));
  if (!rest.empty() && (rest.front() == '\'' || rest.front() == '"')) {
    char quote = rest.front();
    rest.remove_prefix(1);
    if (size_t close = rest.find(quote); close != std::string_view::npos)
      rest = rest.substr(0, close);
  }
  return rest;
}

class Renderer {
 public:
  Renderer(size_t max_text_bytes, size_t max_uris)
      : max_text_bytes_(max_text_bytes), max_uris_(max_uris) {}

  HtmlRendering run(std::string_view html) {
    size_t i = 0;
    while (i < html.size()) {
      size_t lt = html.find('<', i);
      if (lt == std::string_view::npos) lt = html.size();
      if (lt > i) displayText(html.substr(i, lt - i));
      if (lt >= html.size()) break;
      i = markup(html, lt);
    }
    return std::move(result_);
  }

 private:
  // Handles the markup at html[lt] == '<'; returns the offset after it.
  size_t markup(std::string_view html, size_t lt) {
    std::string_view rest = html.substr(lt);
    if (rest.starts_with("<!--")) {
      size_t close = html.find("-->", lt + 4);
      return close == std::string_view::npos ? html.size() : close + 3;
    }
    if (rest.starts_with("<!") || rest.starts_with("<?")) {
      size_t close = html.find('>', lt);
      return close == std::string_view::npos ? html.size() : close + 1;
    }
    bool tag_start =
        rest.size() > 1 &&
        (isAsciiAlpha(rest[1]) || (rest[1] == '/' && rest.size() > 2 && isAsciiAlpha(rest[2])));
    if (!tag_start) {
      displayText(rest.substr(0, 1));
      return lt + 1;
    }
    Tag tag = parseTag(html, lt);
    handleTag(tag);
    if (!tag.closing && (tag.name == "script" || tag.name == "style"))
      return skipRawText(html, tag);
    return tag.end;
  }

  // Skips the content of a <script> or <style> element; returns the offset after its end tag.
  static size_t skipRawText(std::string_view html, const Tag& tag) {
    size_t pos = tag.end;
    while (pos < html.size()) {
      size_t candidate = html.find("</", pos);
      if (candidate == std::string_view::npos) return html.size();
      if (istartsWith(html.substr(candidate + 2), tag.name)) {
        size_t close = html.find('>', candidate);
        return close == std::string_view::npos ? html.size() : close + 1;
      }
      pos = candidate + 2;
    }
    return html.size();
  }

  void handleTag(const Tag& tag) {
    Whitespace ws = whitespaceOf(tag.name);
    if (ws != Whitespace::None) displayWhitespace(ws);
    if (tag.closing) return;
    for (const auto& [name, value] : tag.attributes)
      if (isUriAttribute(tag.name, name)) addUri(value);
    if (tag.name == "base") {
      if (const std::string* href = tag.attribute("href"); href && result_.base_href.empty())
        result_.base_href = std::string(trimAsciiSpace(*href));
    } else if (tag.name == "meta") {
      const std::string* equiv = tag.attribute("http-equiv");
      const std::string* content = tag.attribute("content");
      if (equiv && content && iequals(trimAsciiSpace(*equiv), "refresh")) {
        std::string_view url = refreshUrl(*content);
        if (!url.empty()) addUri(url);
      }
    } else if (tag.name == "img") {
      if (const std::string* alt = tag.attribute("alt"); alt && !alt->empty()) {
        std::string padded = " " + *alt + " ";
        displayDecodedText(padded);
      }
    }
  }

  void addUri(std::string_view value) {
    value = trimAsciiSpace(value);
    if (value.empty() || result_.uris.size() >= max_uris_) return;
    result_.uris.emplace_back(value);
  }

  void displayText(std::string_view raw) {
    if (raw.find('&') == std::string_view::npos) {
      displayDecodedText(raw);
      return;
    }
    scratch_.clear();
    appendWithEntitiesDecoded(raw, scratch_);
    displayDecodedText(scratch_);
  }

  // Appends text with whitespace runs (and NBSP) collapsed to one space; a leading space is
  // dropped right after inserted whitespace.
  void displayDecodedText(std::string_view text) {
    bool in_space = last_was_whitespace_ || text_empty();
    for (size_t k = 0; k < text.size(); ++k) {
      char c = text[k];
      bool space = isAsciiSpace(c);
      if (!space && c == '\xC2' && k + 1 < text.size() && text[k + 1] == '\xA0') {
        space = true;
        ++k;
      }
      if (space) {
        if (!in_space) append(' ');
        in_space = true;
      } else {
        append(c);
        in_space = false;
        last_was_whitespace_ = false;
      }
    }
  }

  void displayWhitespace(Whitespace ws) {
    if (!last_was_whitespace_ && !result_.text.empty() && result_.text.back() == ' ')
      result_.text.pop_back();
    switch (ws) {
      case Whitespace::Space:
        append(' ');
        break;
      case Whitespace::LineBreak:
        append('\n');
        break;
      case Whitespace::Paragraph:
        append('\n');
        append('\n');
        break;
      case Whitespace::None:
        break;
    }
    last_was_whitespace_ = true;
  }

  bool text_empty() const { return result_.text.empty(); }

  void append(char c) {
    if (result_.text.size() >= max_text_bytes_) {
      result_.truncated = true;
      return;
    }
    result_.text.push_back(c);
  }

  size_t max_text_bytes_;
  size_t max_uris_;
  bool last_was_whitespace_ = false;
  std::string scratch_;
  HtmlRendering result_;
};

}  // namespace

HtmlRendering renderHtml(std::string_view html, size_t max_text_bytes, size_t max_uris) {
  return Renderer(max_text_bytes, max_uris).run(html);
}

}  // namespace portcullis::mime
