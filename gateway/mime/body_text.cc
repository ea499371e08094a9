#include "gateway/mime/body_text.h"

#include "gateway/base/text.h"

namespace portcullis::mime {
namespace {

// Appends whitespace run `run` translated by tr/ \t\n\r\x0b/ /s and then tr/\f/\n/.
void appendTranslated(std::string_view run, std::string& out) {
  bool last_space = false;
  for (char c : run) {
    if (c == '\f') {
      out.push_back('\n');
      last_space = false;
    } else if (!last_space) {
      out.push_back(' ');
      last_space = true;
    }
  }
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
  size_t from = out.size();
  out.reserve(out.size() + text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t run_end = i;
    while (run_end < text.size() && isAsciiSpace(text[run_end])) ++run_end;
    if (run_end == i) {
      while (run_end < text.size() && !isAsciiSpace(text[run_end])) ++run_end;
      out.append(text.substr(i, run_end - i));
      i = run_end;
      continue;
    }
    std::string_view run = text.substr(i, run_end - i);
    size_t first_newline = run.find('\n');
    size_t last_newline = run.rfind('\n');
    if (first_newline != last_newline) {  // s/\n+\s*\n+/\f/
      appendTranslated(run.substr(0, first_newline), out);
      out.push_back('\n');
      appendTranslated(run.substr(last_newline + 1), out);
    } else {
      appendTranslated(run, out);
    }
    i = run_end;
  }
  splitLongLines(out, from);
}

void appendShortLines(std::string_view text, std::string& out) {
  size_t from = out.size();
  out.reserve(out.size() + text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') continue;
      c = '\n';
    }
    out.push_back(c);
  }
  splitLongLines(out, from);
}

}  // namespace portcullis::mime
