#include "gateway/mime/received_scan.h"

#include "gateway/base/text.h"

namespace portcullis::mime::received_scan {
namespace {

// RE2's \s: Perl's white space without \v.
bool isRegexSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

// RE2's \w (ASCII), for \b.
bool isWordByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The bytes a HELO argument may hold in SpamAssassin's helo patterns.
bool isHeloByte(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("-.^+_&:=?!@%*$\\/").find(c) != std::string_view::npos;
}

// The end of the run of bytes from `at` that satisfy `in_run`.
template <typename Pred>
size_t runEnd(std::string_view text, size_t at, Pred in_run) {
  while (at < text.size() && in_run(text[at])) ++at;
  return at;
}

// Group 1 of `\bKEY(H+)` at the leftmost place it matches (the run is greedy, and whatever
// follows a longest run satisfies the pattern's `(?:[^H]|$)`).
std::optional<std::string_view> heloAfter(std::string_view text, std::string_view key) {
  for (size_t at = text.find(key); at != std::string_view::npos; at = text.find(key, at + 1)) {
    if (at > 0 && isWordByte(text[at - 1])) continue;
    const size_t start = at + key.size();
    const size_t end = runEnd(text, start, isHeloByte);
    if (end > start) return text.substr(start, end - start);
  }
  return std::nullopt;
}

}  // namespace

bool startsWithFrom(std::string_view text) {
  if (!text.empty() && text.front() == '(') text.remove_prefix(1);
  return istartsWith(text, "from ");
}

bool saysWithLocalFor(std::string_view text) {
  constexpr std::string_view kWords = "with local for";
  for (size_t at = text.find(kWords); at != std::string_view::npos;
       at = text.find(kWords, at + 1)) {
    const size_t end = at + kWords.size();
    if ((at == 0 || !isWordByte(text[at - 1])) && (end == text.size() || !isWordByte(text[end]))) {
      return true;
    }
  }
  return false;
}

std::optional<std::string_view> hostOnlyFrom(std::string_view text) {
  if (!istartsWith(text, "from ")) return std::nullopt;
  const size_t host_end = runEnd(text, 5, [](char c) { return !isRegexSpace(c); });
  if (host_end == 5 || !istartsWith(text.substr(host_end), " by ")) return std::nullopt;
  const size_t name = host_end + 4;
  size_t end = runEnd(text, name, [](char c) { return !isRegexSpace(c) && c != ';'; });
  if (end == name) return std::nullopt;
  if (end < text.size() && text[end] == ' ') ++end;
  if (end >= text.size() || text[end] != ';') return std::nullopt;
  return text.substr(5, host_end - 5);
}

std::optional<std::string_view> queueId(std::string_view text) {
  constexpr std::string_view kKey = " id ";
  auto in_id = [](char c) { return !isRegexSpace(c) && c != '<' && c != '>' && c != ';'; };
  for (size_t at = text.find(kKey); at != std::string_view::npos; at = text.find(kKey, at + 1)) {
    size_t start = at + kKey.size();
    if (start < text.size() && text[start] == '<') ++start;
    const size_t end = runEnd(text, start, in_id);
    if (end - start >= 3) return text.substr(start, end - start);
  }
  return std::nullopt;
}

std::optional<std::string_view> heloAssignment(std::string_view text) {
  return heloAfter(text, "helo=");
}

std::optional<std::string_view> heloCommand(std::string_view text) {
  const auto helo = heloAfter(text, "HELO ");
  const auto ehlo = heloAfter(text, "EHLO ");
  if (!helo) return ehlo;
  if (!ehlo) return helo;
  return helo->data() < ehlo->data() ? helo : ehlo;
}

std::optional<std::string_view> byHost(std::string_view text) {
  constexpr std::string_view kKey = " by ";
  for (size_t at = text.find(kKey); at != std::string_view::npos; at = text.find(kKey, at + 1)) {
    const size_t start = at + kKey.size();
    const size_t end = runEnd(text, start, [](char c) { return !isRegexSpace(c); });
    if (end > start) return text.substr(start, end - start);
  }
  return std::nullopt;
}

}  // namespace portcullis::mime::received_scan
