// BodyEval (Mail::SpamAssassin::Plugin::BodyEval): tests on the body text and on the text parts:
// how much the text and HTML alternatives of a message differ, the share of blank lines, lines
// made of spaced-out letters, stock-tip field names, the length of the body.
#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "filters/content/eval/eval_registry.h"
#include "filters/content/eval/evidence_number.h"
#include "filters/content/eval/families.h"
#include "filters/content/eval/message_facts.h"
#include "filters/content/eval/sa_mime_parts.h"
#include "gateway/base/text.h"
#include "gateway/mime/charset.h"
#include "gateway/mime/html_text.h"

namespace portcullis::content {
namespace {

constexpr size_t kMaxBodyLineLength = 2048;
constexpr size_t kMaxRenderedBytes = 4 << 20;
constexpr int kMaxBlankLines = 20;

// Message::split_into_array_of_short_paragraphs: chunks of 1-2 times 2048 bytes, cut after a
// line break, a '>' or a space where one comes soon enough.
std::vector<std::string_view> shortParagraphs(std::string_view text) {
  std::vector<std::string_view> out;
  if (text.size() <= kMaxBodyLineLength) {
    out.push_back(text);
    return out;
  }
  size_t offset = 0;
  while (text.size() - offset > 2 * kMaxBodyLineLength) {
    size_t cut = std::string_view::npos;
    for (char c : {'\n', '>', ' '}) {
      cut = text.find(c, offset + kMaxBodyLineLength);
      if (cut != std::string_view::npos && cut - offset + 1 <= 2 * kMaxBodyLineLength) break;
      cut = std::string_view::npos;
    }
    if (cut == std::string_view::npos) cut = offset + kMaxBodyLineLength;
    out.push_back(text.substr(offset, cut - offset + 1));
    offset = cut + 1;
  }
  if (offset < text.size()) out.push_back(text.substr(offset));
  return out;
}

// `html` with the alt attributes of its <img> tags renamed: SpamAssassin's HTML renderer shows
// no alt text, gateway/mime's does.
std::string withoutImageAltText(std::string_view html) {
  std::string out(html);
  for (size_t lt = out.find('<'); lt != std::string::npos; lt = out.find('<', lt + 1)) {
    if (lt + 4 > out.size() || !iequals(std::string_view(out).substr(lt + 1, 3), "img")) continue;
    const size_t gt = std::min(out.find('>', lt), out.size());
    char quote = 0;
    for (size_t i = lt + 4; i + 3 < gt; ++i) {
      if (quote) {
        if (out[i] == quote) quote = 0;
        continue;
      }
      if (out[i] == '"' || out[i] == '\'') {
        quote = out[i];
        continue;
      }
      if (isAsciiSpace(out[i]) && iequals(std::string_view(out).substr(i + 1, 3), "alt") &&
          (i + 4 >= gt || out[i + 4] == '=' || isAsciiSpace(out[i + 4])))
        out[i + 1] = 'x';
    }
    lt = gt == out.size() ? gt - 1 : gt;
  }
  return out;
}

// Node::rendered for a text/plain or text/html part: the decoded text in UTF-8, HTML rendered.
// nullopt for other types.
std::optional<std::string> renderedText(const SaPart& part) {
  const std::string_view type = part.effectiveType();
  if (type != "text/plain" && type != "text/html") return std::nullopt;
  std::string utf8;
  mime::appendAsUtf8(part.part->decoded, part.part->charset, utf8);
  if (type == "text/plain") return utf8;
  return mime::renderHtml(withoutImageAltText(utf8), kMaxRenderedBytes, 0).text;
}

bool isWordOrHighByte(char c) {
  return isAsciiAlnum(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}

// Words with their counts; only sizes and lookups are read, never the order.
using WordCounts = std::unordered_map<std::string, int>;

// split(/\s+/) and grep(/\w/): the words of a rendered text, with their counts.
WordCounts wordCounts(std::string_view text) {
  WordCounts words;
  size_t at = 0;
  auto space_at = [&](size_t i) -> size_t {  // length of the whitespace at i, or 0
    if (isAsciiSpace(text[i])) return 1;
    if (static_cast<unsigned char>(text[i]) == 0xc2 && i + 1 < text.size() &&
        static_cast<unsigned char>(text[i + 1]) == 0xa0)
      return 2;
    return 0;
  };
  while (at < text.size()) {
    if (size_t n = space_at(at)) {
      at += n;
      continue;
    }
    size_t end = at;
    while (end < text.size() && space_at(end) == 0) ++end;
    const std::string_view word = text.substr(at, end - at);
    if (std::any_of(word.begin(), word.end(), isWordOrHighByte)) ++words[std::string(word)];
    at = end;
  }
  return words;
}

bool hasImgTag(std::string_view html) {
  for (size_t at = html.find('<'); at != std::string_view::npos; at = html.find('<', at + 1)) {
    if (at + 4 > html.size() || !iequals(html.substr(at + 1, 3), "img")) continue;
    if (at + 4 == html.size() || !isAsciiAlnum(html[at + 4])) return true;
  }
  return false;
}

// BodyEval::_multipart_alternative_difference.
struct AlternativeDifference {
  double percent = 0;  // the largest share of HTML words missing from the text alternative
  double html_words = 0;
  double text_words = 0;
};

// Message::content_summary is "multipart/alternative", "text/html", "text/calendar": an
// Exchange meeting request.
bool isMeetingRequest(const SaMimeParts& parts) {
  if (parts.parts.empty() || parts.parts[0].type != "multipart/alternative") return false;
  std::vector<const SaPart*> children;
  for (const SaPart& part : parts.parts) {
    if (part.parent == 0) children.push_back(&part);
  }
  return children.size() == 2 && children[0]->type == "text/html" && children[0]->leaf &&
         children[1]->type == "text/calendar" && children[1]->leaf;
}

bool isDescendant(const SaMimeParts& parts, int index, int ancestor) {
  for (int at = index; at >= 0; at = parts.parts[at].parent) {
    if (at == ancestor) return true;
  }
  return false;
}

AlternativeDifference alternativeDifference(const SaMimeParts& parts) {
  AlternativeDifference out;
  if (isMeetingRequest(parts)) return out;
  std::vector<std::optional<WordCounts>> words(parts.parts.size());
  auto wordsOf = [&](size_t i) -> const WordCounts& {
    if (!words[i]) {
      const auto rendered = renderedText(parts.parts[i]);
      words[i] = rendered ? wordCounts(*rendered) : WordCounts();
    }
    return *words[i];
  };
  for (size_t ma = 0; ma < parts.parts.size(); ++ma) {
    if (!parts.parts[ma].type.starts_with("multipart/alternative")) continue;
    WordCounts html;
    WordCounts text;
    // The parts under `ma` follow it, depth first.
    for (size_t i = ma + 1;
         i < parts.parts.size() && isDescendant(parts, static_cast<int>(i), static_cast<int>(ma));
         ++i) {
      const SaPart& part = parts.parts[i];
      const std::string_view type = part.effectiveType();
      if (!part.type.starts_with("text") || (type != "text/plain" && type != "text/html")) continue;
      if (type == "text/html") {
        for (const auto& [word, count] : wordsOf(i)) html[word] += count;
        if (html.empty() && hasImgTag(part.part->decoded)) html["\n"] = 1;
      } else {
        for (const auto& [word, count] : wordsOf(i)) text[word] += count;
      }
    }
    const double original = static_cast<double>(html.size());
    if (original == 0) continue;
    out.html_words = original;
    out.text_words = static_cast<double>(text.size());
    for (const auto& [word, count] : text) {
      auto it = html.find(word);
      if (it != html.end() && it->second - count < 1) html.erase(it);
    }
    out.percent = std::max(out.percent, static_cast<double>(html.size()) / original * 100);
  }
  return out;
}

const AlternativeDifference& alternativeDifferenceOf(const EvalInput& in) {
  return in.facts.get<AlternativeDifference>(
      [&] { return alternativeDifference(saMimeParts(in)); });
}

// check_blank_line_ratio's measure over the decoded text parts: the percentage of blank lines,
// or -1 when there are fewer than `min_lines` lines.
struct LineCounts {
  double lines = 0;
  double blank = 0;
};

LineCounts decodedLineCounts(const SaMimeParts& parts) {
  LineCounts counts;
  for (const SaPart& part : parts.parts) {
    if (!part.leaf || part.type == "text/calendar") continue;
    const std::string_view type = part.effectiveType();
    if (!(type.starts_with("text") || type.starts_with("message"))) continue;
    if (type.size() > 4 && type.starts_with("text") && isWordOrHighByte(type[4])) continue;
    // SpamAssassin keeps at most 20 blank lines in a row of a message's raw lines.
    const bool raw_lines = part.transfer_encoding.find("base64") == std::string::npos;
    int blank_run = 0;
    for (std::string_view chunk : shortParagraphs(part.part->decoded)) {
      size_t at = 0;
      while (at < chunk.size()) {
        size_t nl = chunk.find('\n', at);
        const size_t end = nl == std::string_view::npos ? chunk.size() : nl + 1;
        const std::string_view line = chunk.substr(at, end - at);
        at = end;
        const bool blank = std::all_of(line.begin(), line.end(), isAsciiSpace);
        blank_run = blank ? blank_run + 1 : 0;
        if (raw_lines && blank_run > kMaxBlankLines) continue;
        counts.lines += 1;
        if (blank) counts.blank += 1;
      }
    }
  }
  return counts;
}

// tvd_vertical_words' measure: the largest percentage of spaces against other characters on a
// body line longer than five bytes, or -1.
double verticalWordsPercent(std::string_view body) {
  double best = -1;
  size_t at = 0;
  while (at < body.size()) {
    const size_t nl = body.find('\n', at);
    const size_t end = nl == std::string_view::npos ? body.size() : nl + 1;
    const std::string_view line = body.substr(at, end - at);
    at = end;
    if (line.size() <= 5) continue;
    const double spaces = static_cast<double>(std::count(line.begin(), line.end(), ' '));
    const double others = static_cast<double>(line.size()) - spaces;
    double percent = 100;
    if (!(spaces > others || others == 0)) percent = static_cast<int>(100 * spaces / others);
    best = std::max(best, percent);
  }
  return best;
}

// Full match of `text` against `pattern`, where '?' stands for one optional letter (\w?).
bool matchesLoosely(std::string_view pattern, std::string_view text) {
  if (pattern.empty()) return text.empty();
  if (pattern[0] == '?') {
    return matchesLoosely(pattern.substr(1), text) ||
           (!text.empty() && matchesLoosely(pattern.substr(1), text.substr(1)));
  }
  return !text.empty() && text[0] == pattern[0] &&
         matchesLoosely(pattern.substr(1), text.substr(1));
}

// Whether a field name reduced to its lower-case letters, from `start` on, is one of the
// stock-tip names _check_stock_info counts.
bool isStockField(std::string_view rest, bool at_start) {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names = {
        "company",   "companyname",       "ticker",       "target",
        "openingp",  "openingprice",      "currentp",     "currentprice",
        "projected", "position",          "expectations", "weekhigh",
        "weekshigh", "marketperformance", "sector",       "recommendation",
        "rating"};
    for (const char* period : {"year", "week", "month", "day", "price"}) {
      for (const char* what : {"target", "estimate", "estimates"})
        names.push_back(std::string(period) + what);
    }
    return names;
  }();
  if (at_start && (rest == "tradedate" || rest == "tradingdate")) return true;
  if (std::find(kNames.begin(), kNames.end(), rest) != kNames.end()) return true;
  for (std::string_view loose : {"s?t?o?c?k", "s?y?m", "s?y?m?b?o?l"}) {
    if (matchesLoosely(loose, rest)) return true;
  }
  return false;
}

// The stock-tip name a field name ends with (the regex's leftmost match), or "".
std::string stockField(std::string_view letters) {
  for (size_t start = 0; start < letters.size(); ++start) {
    if (isStockField(letters.substr(start), start == 0)) return std::string(letters.substr(start));
  }
  return "";
}

// BodyEval::_check_stock_info: distinct stock-tip field names ("Symbol:", "Target:") in the
// first text/plain part.
int stockInfo(const SaMimeParts& parts) {
  const SaPart* first = nullptr;
  for (const SaPart& part : parts.parts) {
    if (part.type == "text/plain") {
      first = &part;
      break;
    }
  }
  if (!first) return 0;
  const auto rendered = renderedText(*first);
  if (!rendered) return 0;
  std::map<std::string, int> hits;
  for (std::string_view chunk : shortParagraphs(*rendered)) {
    // The regex resumes after the value's first character, which may be on a later line: a line
    // starting at or before it is not looked at.
    size_t resume = 0;
    size_t at = 0;
    while (at < chunk.size()) {
      const size_t nl = chunk.find('\n', at);
      const size_t end = nl == std::string_view::npos ? chunk.size() : nl;
      std::string_view line = chunk.substr(at, end - at);
      const bool skipped = at > 0 && at <= resume;
      at = end + 1;
      if (skipped) continue;
      while (!line.empty() && isAsciiSpace(line.front())) line.remove_prefix(1);
      const size_t colon = line.find(':');
      if (line.empty() || colon == 0 || colon == std::string_view::npos) continue;
      std::string_view field = line.substr(0, colon);
      std::string_view trimmed = field;
      while (!trimmed.empty() && isAsciiSpace(trimmed.back())) trimmed.remove_suffix(1);
      if (field.size() < 3 || trimmed.size() > 30) continue;
      size_t value = static_cast<size_t>(line.data() - chunk.data()) + colon + 1;
      while (value < chunk.size() && isAsciiSpace(chunk[value])) ++value;
      if (value >= chunk.size()) break;
      resume = value;
      std::string letters;
      for (char c : trimmed) {
        const char lower = asciiLower(c);
        if (lower >= 'a' && lower <= 'z') letters.push_back(lower);
      }
      const std::string found = stockField(letters);
      if (!found.empty()) ++hits[found];
    }
  }
  return static_cast<int>(hits.size());
}

// BodyEval::_plaintext_body_sig_ratio: the first text/plain part's decoded length before its
// last signature delimiter ("-- " alone on a line, not in the last four bytes) and after it.
struct SignatureSplit {
  bool has_part = false;
  double body = 0;
  double signature = 0;
  double ratio() const { return signature > 0 ? body / signature : 1e6; }
};

// `text` with its CRLF line ends as LF, as SpamAssassin reads a CRLF message.
std::string withLfLineEnds(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out.push_back(text[i]);
  }
  return out;
}

// Message::pristine_body_length: the body as received, everything after the header section,
// counted with LF line ends.
double pristineBodyLength(const mime::Message& message) {
  const std::string_view body = message.parts().front().raw_body;
  size_t crlf = 0;
  for (size_t at = body.find("\r\n"); at != std::string_view::npos; at = body.find("\r\n", at + 2))
    ++crlf;
  return static_cast<double>(body.size() - crlf);
}

SignatureSplit signatureSplit(const SaMimeParts& parts) {
  SignatureSplit out;
  for (const SaPart& part : parts.parts) {
    if (!part.type.starts_with("text/plain")) continue;
    const std::string text = parts.crlf ? withLfLineEnds(part.part->decoded) : part.part->decoded;
    out.has_part = true;
    out.body = static_cast<double>(text.size());
    size_t at = 0;
    while (at < text.size()) {
      const size_t nl = std::min(text.find('\n', at), text.size());
      std::string_view line = std::string_view(text).substr(at, nl - at);
      if (line.ends_with('\r')) line.remove_suffix(1);
      if (line == "--" || line == "-- ") {
        const size_t end = at + line.size();
        if (text.size() - end > 4) {
          out.body = static_cast<double>(at);
          out.signature = static_cast<double>(text.size() - end);
        }
      }
      at = nl + 1;
    }
    break;
  }
  return out;
}

}  // namespace

void registerBodyEvals(EvalRegistry& registry) {
  registry.add(
      "check_body_length",
      [](const std::vector<std::string>& args, EvalBuildContext&) -> EvalBuild {
        std::vector<double> n;
        if (!evalNumbers(args, 1, 1, n)) return evalArgumentError("check_body_length", "(length)");
        return EvalBuild::success([max = n[0]](const EvalInput& in, std::string* evidence) {
          if (!in.view.message) return false;
          const double length = pristineBodyLength(*in.view.message);
          if (length > max) return false;
          if (evidence) *evidence = "body of " + evidenceNumber<4>(length) + " bytes";
          return true;
        });
      });

  registry.add(
      "multipart_alternative_difference",
      [](const std::vector<std::string>& args, EvalBuildContext&) -> EvalBuild {
        double min = 0;
        std::optional<double> max;
        if (args.size() != 2 || !evalNumber(args[0], min))
          return evalArgumentError("multipart_alternative_difference", "(min, max or 'undef')");
        if (args[1] != "undef") {
          double value = 0;
          if (!evalNumber(args[1], value))
            return evalArgumentError("multipart_alternative_difference", "(min, max or 'undef')");
          max = value;
        }
        return EvalBuild::success([min, max](const EvalInput& in, std::string* evidence) {
          const double diff = alternativeDifferenceOf(in).percent;
          if (!((min == 0 || diff > min) && (!max || diff <= *max))) return false;
          if (evidence)
            *evidence = evidenceNumber<4>(diff) + "% of HTML words not in the text part";
          return true;
        });
      });

  registry.add(
      "multipart_alternative_difference_count",
      [](const std::vector<std::string>& args, EvalBuildContext&) -> EvalBuild {
        std::vector<double> n;
        if (!evalNumbers(args, 2, 2, n))
          return evalArgumentError("multipart_alternative_difference_count", "(ratio, min_html)");
        return EvalBuild::success(
            [ratio = n[0], min_html = n[1]](const EvalInput& in, std::string* evidence) {
              const AlternativeDifference& diff = alternativeDifferenceOf(in);
              if (!(diff.html_words > min_html) || !(diff.text_words / diff.html_words > ratio))
                return false;
              if (evidence) {
                *evidence = evidenceNumber<4>(diff.text_words) + " text words against " +
                            evidenceNumber<4>(diff.html_words) + " HTML words";
              }
              return true;
            });
      });

  registry.add("check_blank_line_ratio",
               [](const std::vector<std::string>& args, EvalBuildContext&) -> EvalBuild {
                 std::vector<double> n;
                 if (!evalNumbers(args, 2, 3, n))
                   return evalArgumentError("check_blank_line_ratio", "(min, max[, min_lines])");
                 const double min = n[0];
                 const double max = n[1];
                 const double min_lines = n.size() > 2 && n[2] >= 1 ? n[2] : 1;
                 return EvalBuild::success([min, max, min_lines](const EvalInput& in,
                                                                 std::string* evidence) {
                   if (!in.view.message) return false;
                   const LineCounts& counts =
                       in.facts.get<LineCounts>([&] { return decodedLineCounts(saMimeParts(in)); });
                   const double ratio =
                       counts.lines < min_lines ? -1 : 100 * counts.blank / counts.lines;
                   if (!((min == 0 && ratio <= max) || (ratio > min && ratio <= max))) return false;
                   if (evidence) *evidence = evidenceNumber<4>(ratio) + "% blank lines";
                   return true;
                 });
               });

  registry.add("tvd_vertical_words",
               [](const std::vector<std::string>& args, EvalBuildContext&) -> EvalBuild {
                 std::vector<double> n;
                 if (!evalNumbers(args, 2, 2, n))
                   return evalArgumentError("tvd_vertical_words", "(min, max)");
                 const double min = n[0];
                 const double max = n[1] >= 100 ? 101 : n[1];
                 return EvalBuild::success([min, max](const EvalInput& in, std::string* evidence) {
                   struct VerticalWords {
                     double percent;
                   };
                   const double percent =
                       in.facts
                           .get<VerticalWords>(
                               [&] { return VerticalWords{verticalWordsPercent(in.view.body)}; })
                           .percent;
                   if (!(percent >= min && percent < max)) return false;
                   if (evidence)
                     *evidence = "most spaced line: " + evidenceNumber<4>(percent) + "%";
                   return true;
                 });
               });

  registry.add(
      "check_stock_info", [](const std::vector<std::string>& args, EvalBuildContext&) -> EvalBuild {
        std::vector<double> n;
        if (!evalNumbers(args, 1, 1, n)) return evalArgumentError("check_stock_info", "(min)");
        return EvalBuild::success([min = n[0]](const EvalInput& in, std::string* evidence) {
          struct StockInfo {
            int fields;
          };
          const int fields =
              in.facts.get<StockInfo>([&] { return StockInfo{stockInfo(saMimeParts(in))}; }).fields;
          if (!(min == 0 || fields >= min)) return false;
          if (evidence) *evidence = std::to_string(fields) + " stock-tip field names";
          return true;
        });
      });
  // plaintext_body_length, plaintext_sig_length, plaintext_body_sig_ratio: (min[, max]).
  for (const char* name :
       {"plaintext_body_length", "plaintext_sig_length", "plaintext_body_sig_ratio"}) {
    const std::string which = name;
    registry.add(
        which, [which](const std::vector<std::string>& args, EvalBuildContext&) -> EvalBuild {
          std::vector<double> n;
          if (!evalNumbers(args, 1, 2, n)) return evalArgumentError(which, "(min[, max])");
          const double min = n[0];
          const std::optional<double> max =
              n.size() > 1 ? std::optional<double>(n[1]) : std::nullopt;
          return EvalBuild::success([which, min, max](const EvalInput& in, std::string* evidence) {
            if (!in.view.message) return false;
            const SignatureSplit& split =
                in.facts.get<SignatureSplit>([&] { return signatureSplit(saMimeParts(in)); });
            if (!split.has_part) return false;
            const double value = which == "plaintext_body_length"  ? split.body
                                 : which == "plaintext_sig_length" ? split.signature
                                                                   : split.ratio();
            if (value < min || (max && value > *max)) return false;
            if (evidence) *evidence = which + " " + evidenceNumber<4>(value);
            return true;
          });
        });
  }
}

}  // namespace portcullis::content
