#include "gateway/smtp/line_wrap.h"

#include <algorithm>
#include <cstring>

namespace portcullis::smtp {

namespace {

// Calls visit(content, line_end) for every line; the last one may have an empty line end.
template <typename Visit>
void forEachLine(std::string_view text, Visit visit) {
  size_t start = 0;
  size_t lf = 0;  // the first LF at or after start (text.size() when none), found once per LF
  bool lf_known = false;
  while (start < text.size()) {
    // The first CR or LF: memchr for the LF, then for a CR before it (find_first_of searches the
    // set once per byte).
    if (!lf_known || lf < start) {
      const void* found = std::memchr(text.data() + start, '\n', text.size() - start);
      lf = found ? static_cast<size_t>(static_cast<const char*>(found) - text.data()) : text.size();
      lf_known = true;
    }
    size_t end = lf;
    const void* cr = std::memchr(text.data() + start, '\r', lf - start);
    if (cr) end = static_cast<size_t>(static_cast<const char*>(cr) - text.data());
    if (end == text.size()) {
      visit(text.substr(start), std::string_view{});
      return;
    }
    size_t after = end + 1;
    if (text[end] == '\r' && after < text.size() && text[after] == '\n') ++after;
    visit(text.substr(start, end - start), text.substr(end, after - end));
    start = after;
  }
}

}  // namespace

size_t longestLine(std::string_view text) {
  size_t longest = 0;
  forEachLine(text, [&](std::string_view line, std::string_view) {
    longest = std::max(longest, line.size());
  });
  return longest;
}

LineShape lineShape(std::string_view text) {
  LineShape shape;
  forEachLine(text, [&](std::string_view line, std::string_view line_end) {
    shape.longest_line = std::max(shape.longest_line, line.size());
    // A leading dot, or a line not ended by CRLF (a bare CR or LF, or none at the end).
    if ((!line.empty() && line.front() == '.') || line_end != "\r\n") {
      shape.needs_dot_stuffing = true;
    }
  });
  return shape;
}

size_t countLongLines(std::string_view text, size_t limit) {
  size_t count = 0;
  forEachLine(text, [&](std::string_view line, std::string_view) {
    if (line.size() > limit) ++count;
  });
  return count;
}

std::string wrapLongLines(std::string_view text, size_t limit) {
  limit = std::max<size_t>(limit, 2);
  std::string out;
  out.reserve(text.size() + 3 * (text.size() / limit + 1));
  forEachLine(text, [&](std::string_view line, std::string_view line_end) {
    out.append(line.substr(0, limit));
    for (size_t done = std::min(line.size(), limit); done < line.size();) {
      size_t piece = std::min(line.size() - done, limit - 1);
      out.append("\r\n ").append(line.substr(done, piece));
      done += piece;
    }
    out.append(line_end);
  });
  return out;
}

}  // namespace portcullis::smtp
