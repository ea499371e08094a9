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

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

// Whether `names` (three-letter words, each followed by one separator) holds `word`.
bool isOneOf(std::string_view word, std::string_view names) {
  if (word.size() != 3) return false;
  for (size_t at = 0; at + 3 <= names.size(); at += 4) {
    if (word == names.substr(at, 3)) return true;
  }
  return false;
}

// `text` begins with a run of at least one byte that satisfies `in_run`, then `after`; moves
// past both. A greedy run followed by a byte outside it matches only whole.
template <typename Pred>
bool takeRun(std::string_view& text, Pred in_run, char after) {
  const size_t end = runEnd(text, 0, in_run);
  if (end == 0 || end >= text.size() || text[end] != after) return false;
  text.remove_prefix(end + 1);
  return true;
}

// The date pattern's part after `[\s;]+`, anchored at both ends.
bool isDateTail(std::string_view text) {
  if (text.empty()) return false;
  if (!isDigit(text[0])) {  // then only the day's name may begin it
    if (text.size() < 5 || text[3] != ',' || text[4] != ' ' ||
        !isOneOf(text.substr(0, 3), "Mon Tue Thu Wed Fri Sat Sun")) {
      return false;
    }
    text.remove_prefix(5);
  }
  if (!takeRun(text, isDigit, ' ')) return false;
  if (text.size() < 4 || text[3] != ' ' ||
      !isOneOf(text.substr(0, 3), "Jan Jun Jul Feb Mar May Apr Aug Sep Oct Nov Dec")) {
    return false;
  }
  text.remove_prefix(4);
  if (!takeRun(text, isDigit, ' ')) return false;
  // \d+:\d+(?::\d+)? then a space: the word before the space holds one or two colons between
  // runs of digits.
  const size_t time_end = runEnd(text, 0, [](char c) { return isDigit(c) || c == ':'; });
  if (time_end >= text.size() || text[time_end] != ' ') return false;
  const std::string_view time = text.substr(0, time_end);
  int colons = 0;
  for (size_t at = 0; at < time.size(); ++at) {
    if (time[at] != ':') continue;
    if (at == 0 || at + 1 == time.size() || time[at - 1] == ':') return false;
    ++colons;
  }
  if (colons < 1 || colons > 2) return false;
  text.remove_prefix(time_end + 1);
  return !text.empty() && runEnd(text, 0, [](char c) { return !isRegexSpace(c); }) == text.size();
}

}  // namespace

std::optional<size_t> trailingDate(std::string_view text) {
  auto separator = [](char c) { return isRegexSpace(c) || c == ';'; };
  for (size_t at = 0; at < text.size(); ++at) {
    if (!separator(text[at])) continue;
    const size_t end = runEnd(text, at, separator);
    if (isDateTail(text.substr(end))) return at;
    at = end;
  }
  return std::nullopt;
}

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
