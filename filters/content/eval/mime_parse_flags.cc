#include "filters/content/eval/mime_parse_flags.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "filters/content/eval/message_facts.h"
#include "filters/content/eval/sa_mime_parts.h"
#include "gateway/base/text.h"
#include "gateway/mime/message.h"

namespace portcullis::content {
namespace {

constexpr size_t kMaxHeaderKeyLength = 256;
constexpr size_t kMaxHeaderValueLength = 8192;
constexpr size_t kMaxHeaderLength = 65536;
constexpr int kMaxParts = 1000;

bool fieldNameChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x21 && u <= 0x7e && u != ':';
}

// /^[\041-\071\073-\176]+:/, or with [ \t]* before the colon when `blanks_before_colon`.
bool looksLikeField(std::string_view line, bool blanks_before_colon) {
  size_t at = 0;
  while (at < line.size() && fieldNameChar(line[at])) ++at;
  if (at == 0) return false;
  if (blanks_before_colon) {
    while (at < line.size() && isBlank(line[at])) ++at;
  }
  return at < line.size() && line[at] == ':';
}

bool allSpace(std::string_view s) {
  for (char c : s) {
    if (!isAsciiSpace(c)) return false;
  }
  return true;
}

// The header loop of Message::new over the raw message.
void scanHeaderSection(std::string_view raw, bool crlf, MimeParseFlags& flags) {
  size_t next = 0;  // where the next line starts
  auto nextLine = [&]() -> std::optional<SaLine> {
    if (next >= raw.size()) return std::nullopt;
    const size_t nl = raw.find('\n', next);
    const size_t stop = nl == std::string_view::npos ? raw.size() : nl;
    size_t end = stop;
    if (crlf && nl != std::string_view::npos && end > next && raw[end - 1] == '\r') --end;
    SaLine line{raw.substr(next, end - next), nl != std::string_view::npos};
    next = stop + 1;
    return line;
  };
  if (raw.starts_with("From ")) nextLine();  // mbox separator
  std::string field;
  bool have_field = false;
  int errors = 0;
  auto finishField = [&] {
    if (!have_field) return;
    const size_t colon = field.find(':');
    if (colon == std::string::npos) return;
    std::string_view key = std::string_view(field).substr(0, colon);
    while (!key.empty() && isBlank(key.back())) key.remove_suffix(1);
    if (key.size() > kMaxHeaderKeyLength || field.size() - colon - 1 > kMaxHeaderValueLength)
      flags.truncated_header = true;
  };
  while (true) {
    const std::optional<SaLine> line = nextLine();
    const bool eof = !line;
    const SaLine current = eof ? SaLine{{}, true} : *line;
    if (!current.text.empty() && isBlank(current.text.front())) {
      have_field = true;
      field.append(current.text);
      if (current.newline) field.push_back('\n');
      continue;
    }
    finishField();
    if (current.text.empty() && current.newline) {
      if (eof) flags.missing_head_body_separator = true;
      return;
    }
    if (current.text.starts_with("--")) {
      flags.missing_head_body_separator = true;
      return;
    }
    if (!looksLikeField(current.text, true) && ++errors > 3) {
      flags.missing_head_body_separator = true;
      return;
    }
    field.assign(current.text);
    if (current.newline) field.push_back('\n');
    have_field = true;
  }
}

bool isBoundaryLine(std::string_view line, const std::string& boundary, bool* closing) {
  if (!line.starts_with("--") || line.substr(2).substr(0, boundary.size()) != boundary)
    return false;
  std::string_view rest = line.substr(2 + boundary.size());
  const bool close = rest.starts_with("--");
  if (close) rest.remove_prefix(2);
  if (!allSpace(rest)) return false;
  if (closing) *closing = close;
  return true;
}

// Message::_parse_multipart over one multipart body.
void scanMultipart(std::string_view body, const std::string& boundary, bool root, bool crlf,
                   std::map<std::string, int>& boundary_state, MimeParseFlags& flags) {
  std::vector<SaLine> lines = saRawLines(body, crlf);
  // Bug 6845: a message body that starts with neither a blank line nor the boundary gets a
  // blank line first.
  if (root && lines.size() > 1 && !allSpace(lines[0].text) &&
      !lines[0].text.starts_with("--" + boundary)) {
    lines.insert(lines.begin(), SaLine{{}, true});
  }
  size_t start = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    bool closing = false;
    if (!isBoundaryLine(lines[i].text, boundary, &closing) || closing) continue;
    boundary_state[boundary] = 1;
    if (i + 1 < lines.size() && !looksLikeField(lines[i + 1].text, false))
      flags.missing_mime_headers = true;
    start = i + 1;
    break;
  }
  bool in_body = false;
  bool have_header = false;
  bool nested_boundary = false;
  std::string content_type;
  int parts = 0;
  size_t remaining = lines.size() - start;
  size_t i = start;
  for (; i < lines.size(); ++i) {
    const std::string_view line = lines[i].text;
    bool last_end = false;
    bool end = isBoundaryLine(line, boundary, &last_end);
    if (end && nested_boundary) {
      end = false;
      if (last_end) nested_boundary = false;
      last_end = false;
    }
    if (--remaining == 0 || end) {
      if (last_end) {
        --boundary_state[boundary];
        ++i;
        break;
      }
      if (remaining > 0 && !looksLikeField(lines[i + 1].text, false))
        flags.missing_mime_headers = true;
      if (++parts == kMaxParts) {
        flags.mimepart_limit_exceeded = true;
        return;
      }
      in_body = false;
      have_header = false;
      content_type.clear();
      continue;
    }
    if (in_body) continue;
    if (looksLikeField(line, true)) {
      have_header = true;
      if (istartsWith(line, "content-type")) content_type.assign(line);
      continue;
    }
    if (!line.empty() && isBlank(line.front()) && have_header) {
      if (!content_type.empty()) content_type.append(line);
      continue;
    }
    if (!content_type.empty()) {
      const size_t colon = content_type.find(':');
      auto nested = parseSaContentType(std::string_view(content_type).substr(colon + 1));
      if (nested.boundary && *nested.boundary == boundary) nested_boundary = true;
    }
    in_body = true;
    if (!line.empty() && line != "\r") flags.missing_mime_head_body_separator = true;
  }
  if (remaining == 0) return;
  for (; i < lines.size(); ++i) {
    for (char c : lines[i].text) {
      if (!isAsciiSpace(c) && c != '.') {
        flags.mime_epilogue_exists = true;
        return;
      }
    }
  }
}

MimeParseFlags build(const EvalInput& input) {
  MimeParseFlags flags;
  if (!input.view.message) return flags;
  const SaMimeParts& parts = saMimeParts(input);
  scanHeaderSection(input.view.message->raw(), parts.crlf, flags);
  // Node::get_all_headers stops at 64 KiB of header fields (name, ": ", value and line break).
  size_t header_bytes = 0;
  for (const mime::Header& header : input.view.message->headers().all())
    header_bytes += header.name.size() + header.value.size() + 3;
  if (header_bytes > kMaxHeaderLength) flags.truncated_header = true;
  std::map<std::string, int> boundary_state;
  for (const SaPart& part : parts.parts) {
    if (part.leaf || !part.type.starts_with("multipart/")) continue;
    scanMultipart(part.part->raw_body, part.boundary, part.parent < 0, parts.crlf, boundary_state,
                  flags);
  }
  for (const auto& [boundary, state] : boundary_state) {
    if (state != 0) flags.missing_boundary = true;
  }
  return flags;
}

}  // namespace

const MimeParseFlags& mimeParseFlags(const EvalInput& input) {
  return input.facts.get<MimeParseFlags>([&] { return build(input); });
}

const bool* mimeParseFlag(const MimeParseFlags& flags, std::string_view name) {
  if (name == "truncated_header") return &flags.truncated_header;
  if (name == "missing_head_body_separator") return &flags.missing_head_body_separator;
  if (name == "missing_mime_headers") return &flags.missing_mime_headers;
  if (name == "missing_mime_head_body_separator") return &flags.missing_mime_head_body_separator;
  if (name == "mime_epilogue_exists") return &flags.mime_epilogue_exists;
  if (name == "mimepart_limit_exceeded") return &flags.mimepart_limit_exceeded;
  return nullptr;
}

}  // namespace portcullis::content
