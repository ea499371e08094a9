#include "gateway/mime/header_fields.h"

#include <algorithm>
#include <span>

#include "gateway/base/text.h"
#include "gateway/mime/charset.h"
#include "gateway/mime/encoded_word.h"

namespace portcullis::mime {
namespace {

// Line at `pos`: [pos, content_end) is the content, `next` the start of the following line.
struct Line {
  size_t content_end;
  size_t next;
};

Line lineAt(std::string_view s, size_t pos) {
  size_t nl = s.find('\n', pos);
  if (nl == std::string_view::npos) return {s.size(), s.size()};
  size_t end = nl;
  if (end > pos && s[end - 1] == '\r') --end;
  return {end, nl + 1};
}

bool isFieldNameChar(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return u > 32 && u < 127 && c != ':';
}

// Skips an RFC 5322 comment starting at s[i] == '('; returns the offset after it.
size_t skipComment(std::string_view s, size_t i) {
  int level = 0;
  for (; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '(') {
      ++level;
    } else if (s[i] == ')') {
      if (--level == 0) return i + 1;
    }
  }
  return s.size();
}

// More parameters than any real header carries; the rest are ignored (bounds the work per value).
constexpr size_t kMaxParameters = 256;

struct Rfc2231Segment {
  std::string name;
  int index;
  bool encoded;
  std::string value;
};

std::string percentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hexValue(s[i + 1]) >= 0 && hexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hexValue(s[i + 1]) * 16 + hexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Joins the RFC 2231 segments of one parameter (sorted by index) into its UTF-8 value.
std::string joinRfc2231(std::span<const Rfc2231Segment> segments) {
  std::string charset;
  std::string bytes;
  for (const Rfc2231Segment& segment : segments) {
    std::string_view value = segment.value;
    if (segment.encoded) {
      if (&segment == &segments.front()) {
        size_t first = value.find('\'');
        size_t second = first == std::string_view::npos ? first : value.find('\'', first + 1);
        if (second != std::string_view::npos) {
          charset = std::string(value.substr(0, first));
          value = value.substr(second + 1);
        }
      }
      bytes += percentDecode(value);
    } else {
      bytes += value;
    }
  }
  std::string out;
  appendAsUtf8(bytes, charset, out);
  return out;
}

}  // namespace

RawHeaderSection splitHeaderSection(std::string_view entity, size_t max_fields) {
  RawHeaderSection section;
  size_t pos = 0;
  bool last_field_open = false;  // whether a continuation line extends the last field
  while (pos < entity.size()) {
    Line line = lineAt(entity, pos);
    std::string_view content = entity.substr(pos, line.content_end - pos);
    if (content.empty()) {
      section.header_end = pos;
      section.body_offset = line.next;
      return section;
    }
    if (content.find('\0') != std::string_view::npos) section.malformed = true;
    if (isBlank(content.front())) {
      if (last_field_open) {
        RawField& field = section.fields.back();
        field.value = std::string_view(
            field.value.data(),
            static_cast<size_t>(entity.data() + line.content_end - field.value.data()));
      } else if (section.fields.empty() && !section.truncated) {
        section.malformed = true;
      }
      pos = line.next;
      continue;
    }
    size_t colon = content.find(':');
    size_t name_end = colon == std::string_view::npos ? 0 : colon;
    while (name_end > 0 && isBlank(content[name_end - 1])) --name_end;
    bool is_field =
        name_end > 0 && std::all_of(content.begin(), content.begin() + name_end, isFieldNameChar);
    if (!is_field) {
      section.malformed = true;
      section.header_end = pos;
      section.body_offset = pos;
      return section;
    }
    if (section.fields.size() >= max_fields) {
      section.truncated = true;
      last_field_open = false;
    } else {
      section.fields.push_back({content.substr(0, name_end), content.substr(colon + 1)});
      last_field_open = true;
    }
    pos = line.next;
  }
  section.header_end = entity.size();
  section.body_offset = entity.size();
  return section;
}

std::string unfoldHeaderValue(std::string_view raw) {
  // Trimming first gives the same: CR and LF are among the spaces trimmed.
  const std::string_view trimmed = trimAsciiSpace(raw);
  std::string out(trimmed.size(), '\0');
  char* write = out.data();
  for (char c : trimmed) {
    if (c != '\r' && c != '\n') *write++ = c;
  }
  out.resize(static_cast<size_t>(write - out.data()));
  return out;
}

const std::string* ParameterizedValue::param(std::string_view name) const {
  for (const auto& [key, value] : params)
    if (key == name) return &value;
  return nullptr;
}

ParameterizedValue parseParameterizedValue(std::string_view s) {
  ParameterizedValue result;
  size_t i = 0;
  while (i < s.size() && s[i] != ';') {
    if (s[i] == '(') {
      i = skipComment(s, i);
      continue;
    }
    if (!isAsciiSpace(s[i]) && s[i] != '"') result.value.push_back(asciiLower(s[i]));
    ++i;
  }
  std::vector<Rfc2231Segment> segments;
  while (i < s.size() && result.params.size() + segments.size() < kMaxParameters) {
    while (i < s.size() && (s[i] == ';' || isAsciiSpace(s[i]))) ++i;
    if (i < s.size() && s[i] == '(') {
      i = skipComment(s, i);
      continue;
    }
    size_t name_begin = i;
    while (i < s.size() && s[i] != '=' && s[i] != ';') ++i;
    std::string name = toLower(trimAsciiSpace(s.substr(name_begin, i - name_begin)));
    if (i >= s.size() || s[i] != '=') continue;
    ++i;
    while (i < s.size() && isAsciiSpace(s[i])) ++i;
    std::string value;
    bool quoted = i < s.size() && s[i] == '"';
    if (quoted) {
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        value.push_back(s[i]);
      }
      ++i;
      while (i < s.size() && s[i] != ';') ++i;  // junk after the closing quote
    } else {
      size_t value_begin = i;
      while (i < s.size() && s[i] != ';') ++i;
      std::string_view raw_value = trimAsciiSpace(s.substr(value_begin, i - value_begin));
      if (size_t comment = raw_value.find('('); comment != std::string_view::npos)
        raw_value = trimAsciiSpace(raw_value.substr(0, comment));
      value = std::string(raw_value);
    }
    if (name.empty()) continue;
    size_t star = name.find('*');
    if (star != std::string::npos) {
      std::string_view suffix = std::string_view(name).substr(star + 1);
      bool encoded = !suffix.empty() && suffix.back() == '*';
      if (encoded) suffix.remove_suffix(1);
      int index = 0;
      bool numeric = true;
      for (char c : suffix) {
        if (!isAsciiDigit(c) || index > 10000) {
          numeric = false;
          break;
        }
        index = index * 10 + (c - '0');
      }
      if (suffix.empty()) encoded = true;  // "name*=" is "name*0*="
      if (numeric) {
        segments.push_back({name.substr(0, star), index, encoded, std::move(value)});
        continue;
      }
    }
    if (value.find("=?") != std::string::npos) {
      std::string decoded;
      HeaderTextFlags flags;
      appendDecodedHeaderText(value, decoded, flags);
      value = std::move(decoded);
    } else if (!isValidUtf8(value)) {
      std::string converted;
      appendAsUtf8(value, {}, converted);
      value = std::move(converted);
    }
    result.params.emplace_back(std::move(name), std::move(value));
  }
  // RFC 2231 parameters win over plain ones of the same name.
  std::stable_sort(segments.begin(), segments.end(), [](const auto& a, const auto& b) {
    return a.name != b.name ? a.name < b.name : a.index < b.index;
  });
  for (size_t first = 0; first < segments.size();) {
    size_t last = first;
    while (last < segments.size() && segments[last].name == segments[first].name) ++last;
    std::string joined = joinRfc2231({segments.data() + first, last - first});
    auto existing = std::find_if(result.params.begin(), result.params.end(),
                                 [&](const auto& p) { return p.first == segments[first].name; });
    if (existing != result.params.end())
      existing->second = std::move(joined);
    else
      result.params.emplace_back(segments[first].name, std::move(joined));
    first = last;
  }
  return result;
}

}  // namespace portcullis::mime
