#include "gateway/mime/body_text.h"

#include "gateway/base/text.h"

namespace portcullis::mime {
namespace {

// Writes whitespace run `run` translated by tr/ \t\n\r\x0b/ /s and then tr/\f/\n/ at `out`;
// returns the end of what it wrote (never more bytes than the run has).
char* writeTranslated(std::string_view run, char* out) {
  bool last_space = false;
  for (char c : run) {
    if (c == '\f') {
      *out++ = '\n';
      last_space = false;
    } else if (!last_space) {
      *out++ = ' ';
      last_space = true;
    }
  }
  return out;
}

// Splits the lines of out[from..] longer than kMaxBodyLineLength as SpamAssassin's
// split_into_array_of_short_lines does: at the last space within the limit, else at the limit.
void splitLongLines(std::string& out, size_t from) {
  std::string_view tail(out.data() + from, out.size() - from);
  bool any_long = false;
  for (size_t pos = 0; pos < tail.size() && !any_long;) {
    size_t nl = tail.find('\n', pos);
    size_t end = nl == std::string_view::npos ? tail.size() : nl;
    any_long = end - pos > kMaxBodyLineLength;
    pos = end + 1;
  }
  if (!any_long) return;
  std::string rebuilt;
  rebuilt.reserve(tail.size() + tail.size() / kMaxBodyLineLength + 1);
  for (size_t pos = 0; pos < tail.size();) {
    size_t nl = tail.find('\n', pos);
    size_t end = nl == std::string_view::npos ? tail.size() : nl;
    std::string_view line = tail.substr(pos, end - pos);
    while (line.size() > kMaxBodyLineLength) {
      size_t space = line.rfind(' ', kMaxBodyLineLength - 1);
      size_t length = space == std::string_view::npos ? kMaxBodyLineLength : space + 1;
      rebuilt.append(line.substr(0, length));
      rebuilt.push_back('\n');
      line.remove_prefix(length);
    }
    rebuilt.append(line);
    if (nl != std::string_view::npos) rebuilt.push_back('\n');
    pos = end + 1;
  }
  out.resize(from);
  out += rebuilt;
}

}  // namespace

void appendParagraphLines(std::string_view text, std::string& out) {
  // The text only shrinks: written in place into room for all of it, then cut to size.
  const size_t from = out.size();
  out.resize(from + text.size());
  char* write = out.data() + from;
  size_t i = 0;
  while (i < text.size()) {
    if (!isAsciiSpace(text[i])) {
      *write++ = text[i++];
      continue;
    }
    size_t run_end = i;
    size_t first_newline = std::string_view::npos;
    size_t last_newline = std::string_view::npos;
    for (; run_end < text.size() && isAsciiSpace(text[run_end]); ++run_end) {
      if (text[run_end] != '\n') continue;
      if (first_newline == std::string_view::npos) first_newline = run_end;
      last_newline = run_end;
    }
    if (first_newline != last_newline) {  // s/\n+\s*\n+/\f/
      write = writeTranslated(text.substr(i, first_newline - i), write);
      *write++ = '\n';
      write = writeTranslated(text.substr(last_newline + 1, run_end - last_newline - 1), write);
    } else {
      write = writeTranslated(text.substr(i, run_end - i), write);
    }
    i = run_end;
  }
  out.resize(static_cast<size_t>(write - out.data()));
  splitLongLines(out, from);
}

void appendShortLines(std::string_view text, std::string& out) {
  // CR LF becomes LF and a lone CR becomes LF: the text only shrinks, as above.
  const size_t from = out.size();
  out.resize(from + text.size());
  char* write = out.data() + from;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') continue;
      c = '\n';
    }
    *write++ = c;
  }
  out.resize(static_cast<size_t>(write - out.data()));
  splitLongLines(out, from);
}

}  // namespace portcullis::mime
