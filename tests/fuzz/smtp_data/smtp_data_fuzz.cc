// Fuzzes the DATA reader (gateway/smtp/data_reader.cc). The first two input bytes choose the
// bare-line-end policy, the size limit and the chunking; the rest is the byte stream after "354".
// Invariants: chunking never changes the result; the reader stops exactly after <CRLF>.<CRLF> (or
// a leading ".<CRLF>") and consumes everything otherwise; the output is min(size, limit) bytes;
// "normalize" never outputs a bare CR or LF; and a clean message dot-stuffed again and terminated
// reads back identically, so nothing the reader outputs can end a message downstream.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gateway/smtp/data_reader.h"

using portcullis::smtp::BareLineEndPolicy;
using portcullis::smtp::DataReader;

namespace {

struct Result {
  std::string out;
  size_t consumed = 0;
  bool done = false;
  bool too_big = false;
  bool bare = false;
  uint64_t size = 0;
};

void check(bool condition) {
  if (!condition) std::abort();
}

Result readAll(std::string_view input, uint64_t limit, BareLineEndPolicy policy, uint32_t seed) {
  Result r;
  DataReader reader(limit, policy, r.out);
  size_t pos = 0;
  while (pos < input.size() && !reader.done()) {
    size_t chunk = input.size() - pos;
    if (seed != 0) {
      seed = seed * 1103515245u + 12345u;
      chunk = std::min<size_t>(chunk, 1 + (seed >> 16) % 7);
    }
    size_t used = reader.feed(input.substr(pos, chunk));
    check(used <= chunk);
    check(used == chunk || reader.done());
    pos += used;
  }
  r.consumed = pos;
  r.done = reader.done();
  r.too_big = reader.tooBig();
  r.bare = reader.sawBareLineEnd();
  r.size = reader.size();
  return r;
}

bool hasBareLineEnd(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] != '\n')) return true;
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return true;
  }
  return false;
}

std::string dotStuff(std::string_view message) {
  std::string out;
  bool line_start = true;
  for (char c : message) {
    if (line_start && c == '.') out.push_back('.');
    out.push_back(c);
    line_start = c == '\n';
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t flags = data[0];
  const uint32_t seed = data[1] | 1u;
  std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);
  const BareLineEndPolicy policy =
      (flags & 1) ? BareLineEndPolicy::Normalize : BareLineEndPolicy::Reject;
  const uint64_t limit = (flags & 2) ? (flags >> 2) : (1u << 20);

  Result whole = readAll(input, limit, policy, 0);
  Result chunked = readAll(input, limit, policy, seed);
  check(whole.out == chunked.out && whole.consumed == chunked.consumed &&
        whole.done == chunked.done && whole.too_big == chunked.too_big &&
        whole.bare == chunked.bare && whole.size == chunked.size);

  std::string_view used = input.substr(0, whole.consumed);
  if (whole.done) {
    check(used == ".\r\n" || (used.size() >= 5 && used.substr(used.size() - 5) == "\r\n.\r\n"));
  } else {
    check(whole.consumed == input.size());
  }
  check(whole.out.size() == std::min<uint64_t>(whole.size, limit));
  check(whole.too_big == (whole.size > limit));
  if (policy == BareLineEndPolicy::Normalize && !whole.too_big) {
    check(!hasBareLineEnd(whole.out));
  }
  if (!whole.bare && !whole.too_big) check(!hasBareLineEnd(whole.out));

  if (whole.done && !whole.bare && !whole.too_big &&
      (whole.out.empty() || whole.out.ends_with("\r\n"))) {
    std::string again = dotStuff(whole.out) + ".\r\n";
    Result round = readAll(again, limit, policy, seed);
    check(round.done && round.consumed == again.size() && round.out == whole.out);
  }
  return 0;
}
