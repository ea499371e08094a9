#include "gateway/pipeline/message_edit.h"

#include "gateway/base/text.h"

namespace portcullis {

namespace {
constexpr size_t kFoldWidth = 78;

// Length of the field starting at `pos`, including continuation lines and the final line end.
size_t fieldLength(std::string_view msg, size_t pos) {
  size_t end = pos;
  while (true) {
    size_t nl = msg.find('\n', end);
    if (nl == std::string_view::npos) return msg.size() - pos;
    end = nl + 1;
    if (end >= msg.size() || (msg[end] != ' ' && msg[end] != '\t')) return end - pos;
  }
}

std::string unfold(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c != '\r' && c != '\n') out.push_back(c);
  }
  // Trimmed in place: one allocation per value.
  const std::string_view kept = trim(out);
  const size_t offset = static_cast<size_t>(kept.data() - out.data());
  const size_t length = kept.size();
  out.erase(0, offset);
  out.resize(length);
  return out;
}
}  // namespace

std::string formatField(const HeaderField& field) {
  std::string out;
  out.reserve(field.name.size() + field.value.size() + 3 * (field.value.size() / kFoldWidth) + 4);
  out += field.name;
  out += ':';
  size_t line_length = out.size();
  forEachPiece(field.value, ' ', [&](std::string_view word) {
    if (word.empty()) return true;
    if (line_length + 1 + word.size() > kFoldWidth && line_length > field.name.size() + 1) {
      out += "\r\n\t";
      line_length = 1;
    } else {
      out += ' ';
      ++line_length;
    }
    out += word;
    line_length += word.size();
    return true;
  });
  out += "\r\n";
  return out;
}

std::string editHeaders(std::string_view message, const HeaderEdit& edit) {
  std::string out;
  out.reserve(message.size() + 1024);
  for (const auto& f : edit.prepend) out += formatField(f);
  size_t pos = 0;
  bool subject_done = edit.subject_prefix.empty();
  while (pos < message.size()) {
    // The header section ends at the first empty line.
    if (message[pos] == '\n' ||
        (message[pos] == '\r' && pos + 1 < message.size() && message[pos + 1] == '\n')) {
      break;
    }
    size_t len = fieldLength(message, pos);
    std::string_view field = message.substr(pos, len);
    size_t colon = field.find(':');
    if (colon != std::string_view::npos) {
      std::string_view name = trim(field.substr(0, colon));
      std::string_view raw_value = field.substr(colon + 1);
      if (edit.remove && edit.remove(name, unfold(raw_value))) {
        pos += len;
        continue;
      }
      if (!subject_done && iequals(name, "Subject")) {
        std::string value = unfold(raw_value);
        if (!istartsWith(value, edit.subject_prefix)) {
          out += formatField({std::string(name), edit.subject_prefix + " " + value});
        } else {
          out.append(field);
        }
        subject_done = true;
        pos += len;
        continue;
      }
    }
    out.append(field);
    pos += len;
  }
  if (!subject_done) out += formatField({"Subject", edit.subject_prefix});
  out.append(message.substr(pos));
  return out;
}

}  // namespace portcullis
