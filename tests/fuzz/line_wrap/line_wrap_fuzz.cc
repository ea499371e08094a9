// Fuzzes the line wrapper (gateway/smtp/line_wrap.cc). The first input byte chooses the limit
// (2 to 257 octets); the rest is the text. Invariants: no output line is longer than the limit;
// a text whose lines fit comes back unchanged; each break adds exactly CRLF and a space, and
// taking every break out gives the input back; wrapping twice changes nothing more.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gateway/smtp/line_wrap.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

// Removes the breaks wrapLongLines inserts (CRLF SP where the original line went on), checking
// that each comes after exactly `limit` octets of the line. Walks the output line by line.
std::string unwrap(std::string_view wrapped, std::string_view original, size_t limit) {
  std::string out;
  size_t in = 0;  // position in `original`, to tell an inserted break from an original CRLF SP
  size_t start = 0;
  bool continuation = false;  // the line follows an inserted break (its space already skipped)
  while (start < wrapped.size()) {
    size_t end = wrapped.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = wrapped.size();
    std::string_view line = wrapped.substr(start, end - start);
    out.append(line);
    in += line.size();
    bool inserted = wrapped.compare(end, 3, "\r\n ") == 0 && in < original.size() &&
                    original[in] != '\r' && original[in] != '\n';
    if (inserted) {
      check(line.size() == (continuation ? limit - 1 : limit));
      start = end + 3;
      continuation = true;
      continue;
    }
    continuation = false;
    size_t after = end;
    if (after < wrapped.size()) {
      after += wrapped[after] == '\r' && after + 1 < wrapped.size() && wrapped[after + 1] == '\n'
                   ? 2
                   : 1;
    }
    out.append(wrapped.substr(end, after - end));
    in += after - end;
    start = after;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t limit = 2 + data[0];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string wrapped = portcullis::smtp::wrapLongLines(text, limit);
  check(portcullis::smtp::longestLine(wrapped) <= limit);
  size_t long_lines = portcullis::smtp::countLongLines(text, limit);
  if (long_lines == 0) check(wrapped == text);
  check((wrapped.size() - text.size()) % 3 == 0);
  check(unwrap(wrapped, text, limit) == text);
  check(portcullis::smtp::wrapLongLines(wrapped, limit) == wrapped);
  return 0;
}
