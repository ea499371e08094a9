#include "filters/content/eval/sa_mime_parts.h"

#include "filters/content/eval/message_facts.h"
#include "gateway/base/text.h"

namespace portcullis::content {
namespace {

// Whether `word` occurs case-insensitively at `at` with a word boundary before it.
bool wordAt(std::string_view text, std::string_view word, size_t at) {
  if (at > 0 && isAsciiWordChar(text[at - 1])) return false;
  return iequals(text.substr(at, word.size()), word);
}

// Where `word` occurs case-insensitively in `text` at or after `from` with a word boundary
// before it (Perl's \bword), or npos.
size_t findWord(std::string_view text, std::string_view word, size_t from) {
  for (size_t at = from; at + word.size() <= text.size(); ++at) {
    if (wordAt(text, word, at)) return at;
  }
  return std::string_view::npos;
}

// After "\s*=\s*" at `at`: the position following it, or npos.
size_t skipEquals(std::string_view text, size_t at) {
  while (at < text.size() && isAsciiSpace(text[at])) ++at;
  if (at >= text.size() || text[at] != '=') return std::string_view::npos;
  ++at;
  while (at < text.size() && isAsciiSpace(text[at])) ++at;
  return at;
}

bool atEnd(std::string_view text, size_t at) {
  return at == text.size() || (at + 1 == text.size() && text[at] == '\n');
}

// Perl's ["']?(.*?)["']?(?:;|$) from `at`: the captured value, or nullopt when a line break
// comes first.
std::optional<std::string> lazyParameterValue(std::string_view text, size_t at) {
  if (at < text.size() && (text[at] == '"' || text[at] == '\'')) ++at;
  for (size_t end = at; end <= text.size(); ++end) {
    if (atEnd(text, end) || text[end] == ';') return std::string(text.substr(at, end - at));
    const bool quote = text[end] == '"' || text[end] == '\'';
    if (quote && (atEnd(text, end + 1) || text[end + 1] == ';'))
      return std::string(text.substr(at, end - at));
    if (text[end] == '\n') return std::nullopt;
  }
  return std::nullopt;
}

// \b(?:NAMES)\s*=\s*["']?(.*?)["']?(?:;|$) at the leftmost place any of `names` matches.
std::optional<std::string> parameter(std::string_view text,
                                     std::initializer_list<std::string_view> names) {
  for (size_t at = 0; at < text.size(); ++at) {
    for (std::string_view name : names) {
      if (!wordAt(text, name, at)) continue;
      const size_t value = skipEquals(text, at + name.size());
      if (value == std::string_view::npos) continue;
      if (auto captured = lazyParameterValue(text, value)) return captured;
    }
  }
  return std::nullopt;
}

// \bboundary\s*=\s*("[^"]+|[^\s";]+(?=[\s;]|$)), quotes removed.
std::optional<std::string> boundaryParameter(std::string_view text) {
  for (size_t at = findWord(text, "boundary", 0); at != std::string_view::npos;
       at = findWord(text, "boundary", at + 1)) {
    size_t value = skipEquals(text, at + 8);
    if (value == std::string_view::npos || value >= text.size()) continue;
    std::string out;
    if (text[value] == '"') {
      size_t end = value + 1;
      while (end < text.size() && text[end] != '"') ++end;
      if (end == value + 1) continue;
      out = std::string(text.substr(value + 1, end - value - 1));
    } else {
      size_t end = value;
      while (end < text.size() && !isAsciiSpace(text[end]) && text[end] != '"' && text[end] != ';')
        ++end;
      if (end == value) continue;
      if (!(end == text.size() || isAsciiSpace(text[end]) || text[end] == ';')) continue;
      out = std::string(text.substr(value, end - value));
    }
    std::erase(out, '"');
    return out;
  }
  return std::nullopt;
}

bool strippedTypeChar(unsigned char c) {
  return c <= 0x20 || c >= 0x7f || c == '"' || c == '(' || c == ')' || c == ',' ||
         (c >= 0x3a && c <= 0x3f) || c == '@' || (c >= 0x5b && c <= 0x5d);
}

std::string mimeType(std::string_view text) {
  while (!text.empty() && isAsciiSpace(text.front())) text.remove_prefix(1);
  text = text.substr(0, text.find(';'));
  const size_t slash = text.find('/');
  if (slash != 0 && slash != std::string_view::npos) {
    size_t end = slash + 1;
    while (end < text.size() && text[end] != '/' && !isAsciiSpace(text[end])) ++end;
    text = text.substr(0, end);
  }
  std::string type = toLower(text);
  const bool textual = type.starts_with("text") && (type.size() == 4 || !isAsciiWordChar(type[4]));
  if (type.empty() ||
      (textual && type != "text/x-vcard" && type != "text/calendar" && type != "text/html")) {
    type = "text/plain";
  }
  std::erase_if(type, [](char c) { return strippedTypeChar(static_cast<unsigned char>(c)); });
  return type;
}

// The value of the last field `name` of a part as Node::header keeps it: unfolded, trimmed.
std::optional<std::string_view> lastValue(const mime::Part& part, std::string_view name) {
  std::optional<std::string_view> out;
  for (const mime::Header* h : part.headers.findAll(name)) out = trimAsciiSpace(h->value);
  return out;
}

// Content-Disposition's name=, as Message::_parse_normal reads it.
std::optional<std::string> dispositionName(std::string_view disposition) {
  for (size_t at = 0; at + 4 < disposition.size(); ++at) {
    if (!iequals(disposition.substr(at, 4), "name")) continue;
    if (disposition[at + 4] != '=') continue;
    size_t value = at + 5;
    while (value < disposition.size() && isAsciiSpace(disposition[value])) ++value;
    if (value < disposition.size() && disposition[value] == '"') ++value;
    size_t end = value;
    while (end < disposition.size() && disposition[end] != '"' && disposition[end] != ';') ++end;
    if (end > value) return std::string(disposition.substr(value, end - value));
  }
  return std::nullopt;
}

SaPart describe(const mime::Part& part, int parent, const std::vector<SaPart>& done) {
  SaPart out;
  out.part = &part;
  out.parent = parent;
  out.leaf = part.children.empty();
  const auto content_type = lastValue(part, "content-type");
  SaContentType ct = parseSaContentType(
      content_type && !content_type->empty() ? std::string(*content_type) + "\n" : "");
  out.type = ct.type;
  if (ct.missing && parent >= 0 && done[parent].type == "multipart/digest")
    out.type = "message/rfc822";
  if (out.type.starts_with("multipart/")) {
    if (ct.boundary) {
      out.boundary = *ct.boundary;
    } else {
      out.type = "text/plain";  // Message::_parse_normal: a multipart needs a boundary
    }
  }
  if (ct.charset) {
    out.has_charset = true;
    out.charset = toLower(*ct.charset);
  }
  if (auto cte = lastValue(part, "content-transfer-encoding"))
    out.transfer_encoding = toLower(*cte);
  const std::string disposition(lastValue(part, "content-disposition").value_or(""));
  out.disposition = toLower(disposition);
  if (auto name = dispositionName(disposition)) {
    out.name = *name;
  } else {
    out.name = ct.name;
  }
  return out;
}

SaMimeParts build(const ContentView& view) {
  SaMimeParts out;
  if (!view.message) return out;
  const mime::Message& message = *view.message;
  const std::string_view raw = message.raw();
  const size_t first_break = raw.find('\n');
  out.crlf =
      first_break != std::string_view::npos && first_break > 0 && raw[first_break - 1] == '\r';
  out.parts.reserve(message.parts().size());
  std::vector<int> index_of(message.parts().size(), -1);  // gateway part -> SaMimeParts index
  for (size_t i = 0; i < message.parts().size(); ++i) {
    const mime::Part& part = message.parts()[i];
    const int parent = part.parent >= 0 ? index_of[part.parent] : -1;
    index_of[i] = static_cast<int>(out.parts.size());
    out.parts.push_back(describe(part, parent, out.parts));
    SaPart& added = out.parts.back();
    if (!added.type.starts_with("multipart/") || !added.leaf) continue;
    // A multipart whose boundary never occurs: SpamAssassin still reads it as a multipart, with
    // one part of no header holding the whole body.
    added.leaf = false;
    SaPart body;
    body.part = &part;
    body.parent = index_of[i];
    body.type = "text/plain";
    body.charset = "us-ascii";
    body.has_charset = true;
    out.parts.push_back(std::move(body));
  }
  return out;
}

}  // namespace

SaContentType parseSaContentType(std::string_view value) {
  SaContentType out;
  std::string text(value);
  if (text.empty()) {
    out.missing = true;
    text = "text/plain; charset=us-ascii";
  }
  out.boundary = boundaryParameter(text);
  out.charset = parameter(text, {"charset"});
  out.name = parameter(text, {"filename", "name"}).value_or("");
  std::string_view rest = text;
  while (!rest.empty() && isAsciiSpace(rest.front())) rest.remove_prefix(1);
  if (rest.substr(0, rest.find(';')).find_first_not_of(" \t\r\n") == std::string_view::npos)
    out.missing = true;
  out.type = mimeType(text);
  return out;
}

std::string_view SaPart::effectiveType() const {
  const std::string n = toLower(name);
  for (std::string_view suffix : {".html", ".htm", ".shtml", ".shtm"}) {
    if (n.ends_with(suffix)) return "text/html";
  }
  return type;
}

const SaMimeParts& saMimeParts(const EvalInput& input) {
  return input.facts.get<SaMimeParts>([&] { return build(input.view); });
}

std::vector<SaLine> saRawLines(std::string_view body, bool crlf) {
  std::vector<SaLine> lines;
  forEachSaRawLine(body, crlf, [&lines](const SaLine& line) { lines.push_back(line); });
  return lines;
}

}  // namespace portcullis::content
