#include "filters/dkim/message_fields.h"

namespace portcullis::dkim {

namespace {

// The end of the line starting at `pos`, just after its CRLF (or the end of the text).
size_t lineEnd(std::string_view text, size_t pos) {
  size_t crlf = text.find("\r\n", pos);
  return crlf == std::string_view::npos ? text.size() : crlf + 2;
}

void addField(std::string_view raw, RawMessage& out) {
  size_t colon = raw.find(':');
  if (colon == std::string_view::npos) return;
  std::string_view name = raw.substr(0, colon);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  if (name.empty()) return;
  std::string_view value = raw.substr(colon + 1);
  if (value.ends_with("\r\n")) value.remove_suffix(2);
  out.fields.push_back({name, value, raw});
}

}  // namespace

RawMessage splitMessage(std::string_view message) {
  RawMessage out;
  size_t pos = 0;
  size_t field_start = std::string_view::npos;
  while (pos < message.size()) {
    if (message.compare(pos, 2, "\r\n") == 0) {  // the blank line ending the header section
      if (field_start != std::string_view::npos) {
        addField(message.substr(field_start, pos - field_start), out);
      }
      out.body = message.substr(pos + 2);
      return out;
    }
    bool continuation = message[pos] == ' ' || message[pos] == '\t';
    if (!continuation) {
      if (field_start != std::string_view::npos) {
        addField(message.substr(field_start, pos - field_start), out);
      }
      field_start = pos;
    }
    pos = lineEnd(message, pos);
  }
  if (field_start != std::string_view::npos) addField(message.substr(field_start), out);
  return out;
}

}  // namespace portcullis::dkim
