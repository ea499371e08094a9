// MIMEEval (Mail::SpamAssassin::Plugin::MIMEEval): tests on the MIME structure and the raw
// lines of the parts. The per-message facts SpamAssassin's _check_attachments gathers (part
// counts, QP and base64 measures, the text/HTML byte ratio of multipart/alternative, charsets)
// are computed once per message (MimeAttachmentFacts), as are the parse flags SpamAssassin's
// MIME parser records (mime_parse_flags.h).
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "filters/content/eval/eval_registry.h"
#include "filters/content/eval/evidence_number.h"
#include "filters/content/eval/families.h"
#include "filters/content/eval/message_facts.h"
#include "filters/content/eval/mime_parse_flags.h"
#include "filters/content/eval/ok_locales.h"
#include "filters/content/eval/sa_mime_parts.h"
#include "gateway/base/text.h"

namespace portcullis::content {
namespace {

// What _check_attachments records about one message.
struct MimeAttachmentFacts {
  int base64_count = 0;
  bool base64_encoded_text = false;
  int body_html_count = 0;
  int body_text_count = 0;
  bool faraway_charset = false;
  bool bad_iso_charset = false;
  int attachment = 0;
  bool multipart_alternative = false;
  double multipart_ratio = 1.0;
  double qp_count = 0;  // QP parts, or the excess-encoded characters once QP lines were seen
  bool qp_long_line = false;
  double qp_ratio = 0;
  int ascii_text_illegal = 0;
  double text_unicode_ratio = 0;
  std::vector<std::string> charsets;  // every part's charset with a letter in it
};

bool contains(std::string_view s, std::string_view what) {
  return s.find(what) != std::string_view::npos;
}

bool asciiCharsetName(std::string_view charset) {
  for (std::string_view name :
       {"us-ascii", "ansi_x3.4-1968", "iso-ir-6", "ansi_x3.4-1986", "iso_646.irv:1991", "ascii",
        "iso646-us", "us", "ibm367", "cp367", "csascii"}) {
    if (contains(charset, name)) return true;
  }
  return false;
}

// /iso-\S+-\S+\b/i without /iso-(?:8859-\d{1,2}|2022-(?:jp|kr))\b/.
bool badIsoCharset(std::string_view charset) {
  bool odd_iso = false;
  bool known_iso = false;
  for (size_t at = charset.find("iso-"); at != std::string_view::npos;
       at = charset.find("iso-", at + 1)) {
    std::string_view rest = charset.substr(at + 4);
    const size_t dash = rest.find('-');
    const size_t space = rest.find_first_of(" \t\r\n\f");
    if (dash != std::string_view::npos && dash > 0 && dash < space && dash + 1 < rest.size() &&
        !isAsciiSpace(rest[dash + 1])) {
      odd_iso = true;
    }
    auto word_end = [&](size_t n) {
      return n == rest.size() || !(isAsciiAlnum(rest[n]) || rest[n] == '_');
    };
    if (rest.starts_with("8859-")) {
      size_t digits = 0;
      while (5 + digits < rest.size() && digits < 2 && isAsciiDigit(rest[5 + digits])) ++digits;
      for (size_t d = 1; d <= digits; ++d) known_iso = known_iso || word_end(5 + d);
    }
    if ((rest.starts_with("2022-jp") || rest.starts_with("2022-kr")) && word_end(7))
      known_iso = true;
  }
  return odd_iso && !known_iso;
}

// MIMEEval::_check_mime_header for one part.
void checkMimeHeader(const SaPart& part, const OkLocales& locales, MimeAttachmentFacts& facts) {
  const std::string& cte = part.transfer_encoding;
  const std::string& cd = part.disposition;
  if (part.type == "text/html") {
    ++facts.body_html_count;
  } else if (part.type.starts_with("text")) {
    ++facts.body_text_count;
  }
  if (contains(cte, "base64")) {
    ++facts.base64_count;
  } else if (contains(cte, "quoted-printable")) {
    ++facts.qp_count;
  }
  if (contains(cd, "attachment")) ++facts.attachment;
  if (part.type.starts_with("text") && contains(cte, "base64") &&
      (part.charset.empty() || asciiCharsetName(part.charset)) &&
      !(cd.starts_with("attachment") || cd.starts_with("inline"))) {
    facts.base64_encoded_text = true;
  }
  if (badIsoCharset(part.charset)) facts.bad_iso_charset = true;
  if (std::any_of(part.charset.begin(), part.charset.end(), isAsciiAlpha)) {
    facts.charsets.push_back(part.charset);
    if (!facts.faraway_charset && !charsetOkForLocales(part.charset, locales))
      facts.faraway_charset = true;
  }
}

// Counts =XX escapes of characters that need no encoding, as MIMEEval does for
// mime_qp_ratio, less the =09/=20 run at the end of the line.
int excessQpEscapes(std::string_view line) {
  int count = 0;
  for (size_t i = 0; i + 2 < line.size(); ++i) {
    if (line[i] != '=') continue;
    const char a = line[i + 1];
    const char b = line[i + 2];
    const bool digit = isAsciiDigit(b);
    bool excess = false;
    if (a == '0') excess = b == '9';
    if (a == '3') excess = digit || (b >= 'A' && b <= 'F' && b != 'D');
    if (a == '2' || a == '4' || a == '5' || a == '6') excess = digit || (b >= 'A' && b <= 'F');
    if (a == '7') excess = digit || (b >= 'A' && b <= 'E');
    if (excess) {
      ++count;
      i += 2;
    }
  }
  if (count == 0) return 0;
  std::string_view trimmed = line;
  while (!trimmed.empty() && isAsciiSpace(trimmed.back())) trimmed.remove_suffix(1);
  int trailing = 0;
  while (trimmed.size() >= 3) {
    const std::string_view escape = trimmed.substr(trimmed.size() - 3);
    if (escape != "=09" && escape != "=20") break;
    ++trailing;
    trimmed.remove_suffix(3);
  }
  return count - trailing;
}

// Occurrences of "&#xHHHH;" (upper-case hex), and the line's length without them.
std::pair<int, size_t> unicodeEscapes(std::string_view line, size_t length) {
  int found = 0;
  for (size_t at = line.find("&#x"); at != std::string_view::npos; at = line.find("&#x", at + 1)) {
    if (at + 8 > line.size() || line[at + 7] != ';') continue;
    bool hex = true;
    for (size_t i = at + 3; i < at + 7; ++i)
      hex = hex && (isAsciiDigit(line[i]) || (line[i] >= 'A' && line[i] <= 'F'));
    if (!hex) continue;
    ++found;
    at += 7;
  }
  return {found, length - 8 * static_cast<size_t>(found)};
}

MimeAttachmentFacts checkAttachments(const SaMimeParts& parts, const OkLocales& locales) {
  MimeAttachmentFacts facts;
  double qp_bytes = 0;
  double qp_excess = 0;
  double normal_chars = 0;
  double unicode_chars = 0;
  struct LeafBytes {
    std::string_view type;
    std::optional<double> bytes;
  };
  std::vector<LeafBytes> leaves;
  for (const SaPart& part : parts.parts) {
    if (part.type == "multipart/alternative") facts.multipart_alternative = true;
    checkMimeHeader(part, locales, facts);
    if (!part.leaf) continue;
    const std::string& cte = part.transfer_encoding;
    const bool attachment = part.isAttachment();
    LeafBytes leaf{part.type, attachment ? std::nullopt : std::optional<double>(0)};
    const bool ascii_text =
        part.type == "text/plain" && (!part.has_charset || part.charset == "us-ascii");
    const bool plain_unencoded =
        part.type == "text/plain" && (cte.empty() || cte == "7bit" || cte == "8bit");
    forEachSaRawLine(part.part->raw_body, parts.crlf, [&](const SaLine& line) {
      const size_t length = line.length();
      if (facts.multipart_alternative && !attachment &&
          (part.type == "text/plain" || part.type == "text/html")) {
        *leaf.bytes += static_cast<double>(length);
      }
      if (cte == "quoted-printable" && !line.text.starts_with("SPAM: ")) {
        if (length > 79) facts.qp_long_line = true;
        qp_bytes += static_cast<double>(length);
        qp_excess += excessQpEscapes(line.text);
      }
      if (ascii_text) {
        const bool illegal = std::any_of(line.text.begin(), line.text.end(), [](char c) {
          const auto u = static_cast<unsigned char>(c);
          return u == 0 || u == 0x0d || u >= 0x80;
        });
        if (illegal) ++facts.ascii_text_illegal;
      }
      if (plain_unencoded) {
        const auto [found, rest] = unicodeEscapes(line.text, length);
        normal_chars += static_cast<double>(rest);
        unicode_chars += found;
      }
    });
    leaves.push_back(leaf);
  }
  if (qp_bytes > 0) {
    facts.qp_ratio = qp_excess / qp_bytes;
    facts.qp_count = qp_excess;
  }
  if (normal_chars > 0) facts.text_unicode_ratio = unicode_chars / normal_chars;
  if (facts.multipart_alternative) {
    std::optional<double> text;
    std::optional<double> html;
    for (auto it = leaves.rbegin(); it != leaves.rend(); ++it) {
      if (!it->bytes) continue;
      if (!html && it->type == "text/html") {
        html = it->bytes;
      } else if (!text && it->type == "text/plain") {
        text = it->bytes;
      }
      if (html && text) break;
    }
    if (text && html && *html > 0) facts.multipart_ratio = *text / *html;
  }
  return facts;
}

struct AttachmentFactsOfMessage {
  std::optional<MimeAttachmentFacts> facts;  // nullopt without a parsed message
};

const MimeAttachmentFacts* attachmentFacts(const EvalInput& in, const OkLocales& locales) {
  const auto& of = in.facts.get<AttachmentFactsOfMessage>([&] {
    AttachmentFactsOfMessage out;
    if (in.view.message) out.facts = checkAttachments(saMimeParts(in), locales);
    return out;
  });
  return of.facts ? &*of.facts : nullptr;
}

// The charset of the message's Content-Type field, as get_charset_from_ct_line reads it.
std::optional<std::string> topCharset(const ContentView& view) {
  auto value = headerText(view, "Content-Type", HeaderForm::Decoded);
  if (!value) return std::nullopt;
  const std::string& ct = *value;
  for (size_t at = 0; at + 8 <= ct.size(); ++at) {
    if (!iequals(std::string_view(ct).substr(at, 8), "charset=")) continue;
    const size_t start = at + 8;
    if (start < ct.size() && (ct[start] == '"' || ct[start] == '\'')) {
      const size_t close = ct.find(ct[start], start + 1);
      if (close != std::string::npos && close > start + 1)
        return ct.substr(start + 1, close - start - 1);
    }
    size_t end = start;
    while (end < ct.size() && !isAsciiSpace(ct[end])) ++end;
    if (end > start) return ct.substr(start, end - start);
  }
  return std::nullopt;
}

bool topTypeIsHtml(const ContentView& view) {
  for (const auto& h : view.headers) {
    if (!iequals(h.name, "Content-Type")) continue;
    return istartsWith(trimAsciiSpace(h.decoded), "text/html");
  }
  return false;
}

// The body lines body evals get, each with its length as SpamAssassin counts it (the line
// break included when one followed).
template <typename Visit>
void forEachBodyLine(std::string_view body, Visit&& visit) {
  size_t at = 0;
  while (at < body.size()) {
    const size_t nl = body.find('\n', at);
    const bool newline = nl != std::string_view::npos;
    const std::string_view line = body.substr(at, (newline ? nl : body.size()) - at);
    visit(line, line.size() + (newline ? 1 : 0));
    at = newline ? nl + 1 : body.size();
  }
}

// Constants::CHARSETS_LIKELY_TO_FP_AS_CAPS, matched against a whole charset name.
bool charsetLikelyToFpAsCaps(std::string_view charset) {
  for (char c : charset) {
    if (!(isAsciiAlnum(c) || c == '-' || c == '_')) return false;
  }
  const std::string lower = toLower(charset);
  for (std::string_view marker : {"koi", "jp", "jis", "euc", "gb", "big5", "isoir", "cp1251",
                                  "windows-1251", "georgianps", "pt154", "tis"}) {
    if (contains(lower, marker)) return true;
  }
  return false;
}

// /\S\s+\S/: two words on the line.
bool hasInnerSpace(std::string_view line) {
  size_t first = 0;
  while (first < line.size() && isAsciiSpace(line[first])) ++first;
  size_t last = line.size();
  while (last > first && isAsciiSpace(line[last - 1])) --last;
  for (size_t i = first; i < last; ++i) {
    if (isAsciiSpace(line[i])) return true;
  }
  return false;
}

// /^(?:[A-Za-z0-9+\/=]{60,76} ){2}/: base64 left in a forwarded message.
bool startsWithBase64Pair(std::string_view line) {
  size_t at = 0;
  for (int word = 0; word < 2; ++word) {
    size_t n = 0;
    while (at + n < line.size() && n < 77 &&
           (isAsciiAlnum(line[at + n]) || line[at + n] == '+' || line[at + n] == '/' ||
            line[at + n] == '=')) {
      ++n;
    }
    if (n < 60 || n > 76 || at + n >= line.size() || line[at + n] != ' ') return false;
    at += n + 1;
  }
  return true;
}

// check_for_uppercase's measure: the percentage of upper-case letters among letters and digits
// in body lines with an inner space, or 0 for short texts and charsets it misreads.
double uppercasePercent(const EvalInput& in, const OkLocales& locales) {
  const MimeAttachmentFacts* facts = attachmentFacts(in, locales);
  std::vector<std::string> charsets;
  if (auto top = topCharset(in.view)) charsets.push_back(*top);
  if (facts) charsets.insert(charsets.end(), facts->charsets.begin(), facts->charsets.end());
  for (const auto& charset : charsets) {
    if (charsetLikelyToFpAsCaps(charset)) return 0;
  }
  // Per byte: 1 for a lower-case letter or a digit, 2 for an upper-case letter.
  static constexpr std::array<uint8_t, 256> kLetterKinds = [] {
    std::array<uint8_t, 256> kinds{};
    for (int c = 'a'; c <= 'z'; ++c) kinds[c] = 1;
    for (int c = '0'; c <= '9'; ++c) kinds[c] = 1;
    for (int c = 'A'; c <= 'Z'; ++c) kinds[c] = 2;
    return kinds;
  }();
  double length = 0;
  uint64_t lower = 0, upper = 0;
  forEachBodyLine(in.view.body, [&](std::string_view line, size_t line_length) {
    if (!hasInnerSpace(line) || startsWithBase64Pair(line)) return;
    // Shift-JIS escape sequences are not text.
    const size_t jis_start = line.find("\x1b$B");
    const size_t jis_end = line.rfind("\x1b(B");
    std::string_view kept[2] = {line, {}};
    if (jis_start != std::string_view::npos && jis_end != std::string_view::npos &&
        jis_end >= jis_start + 3) {
      kept[0] = line.substr(0, jis_start);
      kept[1] = line.substr(jis_end + 3);
      line_length -= jis_end + 3 - jis_start;
    }
    length += static_cast<double>(line_length);
    for (std::string_view piece : kept) {
      for (char c : piece) {
        const uint8_t kind = kLetterKinds[static_cast<unsigned char>(c)];
        lower += kind & 1;
        upper += kind >> 1;
      }
    }
  });
  if (length < 200 || upper + lower == 0) return 0;
  const auto upper_count = static_cast<double>(upper);
  return upper_count / (upper_count + static_cast<double>(lower)) * 100;
}

// MIMEEval::are_more_high_bits_set on the body lines joined.
bool moreHighBitsSet(std::string_view body) {
  double high = 0;
  for (char c : body) high += static_cast<unsigned char>(c) >= 0x80 ? 1 : 0;
  const double low = static_cast<double>(body.size()) - high;
  return low <= high && high > 3;
}

// check_ma_non_text: a multipart/alternative with a direct leaf child that is neither text nor
// one of the types ham puts there.
std::optional<std::string> multipartAlternativeNonText(const SaMimeParts& parts) {
  for (const SaPart& part : parts.parts) {
    if (!part.leaf || part.parent < 0) continue;
    if (parts.parts[part.parent].type != "multipart/alternative") continue;
    if (part.type == "multipart/related" || part.type == "application/rtf" ||
        istartsWith(part.type, "text/"))
      continue;
    return part.type;
  }
  return std::nullopt;
}

// The longest raw line (with its line break) of a base64 leaf, as check_base64_length measures.
size_t longestBase64Line(const SaMimeParts& parts) {
  size_t longest = 0;
  for (const SaPart& part : parts.parts) {
    if (!part.leaf || part.type == "application/ics" || part.transfer_encoding != "base64")
      continue;
    forEachSaRawLine(part.part->raw_body, parts.crlf, [&longest](const SaLine& line) {
      longest = std::max(longest, line.length());
    });
  }
  return longest;
}

struct Base64Length {
  size_t longest = 0;
};

// check_for_mime's tests: the value SpamAssassin's _check_attachments leaves under each name.
using MimeTest = double (*)(const MimeAttachmentFacts&);
const std::map<std::string, MimeTest, std::less<>>& mimeTests() {
  static const std::map<std::string, MimeTest, std::less<>> tests = {
      {"mime_base64_count", [](const MimeAttachmentFacts& f) { return 1.0 * f.base64_count; }},
      {"mime_base64_encoded_text",
       [](const MimeAttachmentFacts& f) { return f.base64_encoded_text ? 1.0 : 0.0; }},
      {"mime_body_html_count",
       [](const MimeAttachmentFacts& f) { return 1.0 * f.body_html_count; }},
      {"mime_body_text_count",
       [](const MimeAttachmentFacts& f) { return 1.0 * f.body_text_count; }},
      {"mime_faraway_charset",
       [](const MimeAttachmentFacts& f) { return f.faraway_charset ? 1.0 : 0.0; }},
      {"mime_multipart_alternative",
       [](const MimeAttachmentFacts& f) { return f.multipart_alternative ? 1.0 : 0.0; }},
      {"mime_multipart_ratio", [](const MimeAttachmentFacts& f) { return f.multipart_ratio; }},
      {"mime_qp_count", [](const MimeAttachmentFacts& f) { return f.qp_count; }},
      {"mime_qp_long_line",
       [](const MimeAttachmentFacts& f) { return f.qp_long_line ? 1.0 : 0.0; }},
      {"mime_qp_ratio", [](const MimeAttachmentFacts& f) { return f.qp_ratio; }},
      {"mime_ascii_text_illegal",
       [](const MimeAttachmentFacts& f) { return 1.0 * f.ascii_text_illegal; }},
      {"mime_text_unicode_ratio",
       [](const MimeAttachmentFacts& f) { return f.text_unicode_ratio; }},
      {"mime_attachment", [](const MimeAttachmentFacts& f) { return 1.0 * f.attachment; }},
      {"mime_bad_iso_charset",
       [](const MimeAttachmentFacts& f) { return f.bad_iso_charset ? 1.0 : 0.0; }},
  };
  return tests;
}

}  // namespace

void registerMimeEvals(EvalRegistry& registry) {
  registry.add(
      "check_for_mime",
      [](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
        if (args.size() != 1) return evalArgumentError("check_for_mime", "(test)");
        const std::string test = args[0];
        if (test == "mime_missing_boundary" || test == "mimepart_limit_exceeded") {
          return EvalBuild::success([test](const EvalInput& in, std::string* evidence) {
            const MimeParseFlags& flags = mimeParseFlags(in);
            const bool hit = test == "mime_missing_boundary" ? flags.missing_boundary
                                                             : flags.mimepart_limit_exceeded;
            if (hit && evidence) *evidence = test;
            return hit;
          });
        }
        auto it = mimeTests().find(test);
        if (it == mimeTests().end())
          return evalArgumentError("check_for_mime", "a known test name, not '" + test + "'");
        const MimeTest measure = it->second;
        return EvalBuild::success([measure, test, locales = okLocales(context)](
                                      const EvalInput& in, std::string* evidence) {
          const MimeAttachmentFacts* facts = attachmentFacts(in, locales);
          if (!facts) return false;
          const double value = measure(*facts);
          if (value != 0 && evidence) *evidence = test + " = " + evidenceNumber<3>(value);
          return value != 0;
        });
      });

  auto html = [](bool only) {
    return [only](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
      const char* name = only ? "check_for_mime_html_only" : "check_for_mime_html";
      if (!args.empty()) return evalArgumentError(name, "no arguments");
      return EvalBuild::success(
          [only, locales = okLocales(context)](const EvalInput& in, std::string* evidence) {
            if (topTypeIsHtml(in.view)) {
              if (evidence) *evidence = "Content-Type: text/html";
              return true;
            }
            const MimeAttachmentFacts* facts = attachmentFacts(in, locales);
            if (!facts || facts->body_html_count == 0) return false;
            if (only && facts->body_text_count > 0) return false;
            if (evidence) *evidence = std::to_string(facts->body_html_count) + " text/html part(s)";
            return true;
          });
    };
  };
  registry.add("check_for_mime_html", html(false));
  registry.add("check_for_mime_html_only", html(true));

  registry.add("check_mime_multipart_ratio",
               [](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
                 std::vector<double> n;
                 if (!evalNumbers(args, 2, 2, n))
                   return evalArgumentError("check_mime_multipart_ratio", "(min, max)");
                 return EvalBuild::success([min = n[0], max = n[1], locales = okLocales(context)](
                                               const EvalInput& in, std::string* evidence) {
                   const MimeAttachmentFacts* facts = attachmentFacts(in, locales);
                   if (!facts || facts->multipart_ratio < min || facts->multipart_ratio >= max)
                     return false;
                   if (evidence)
                     *evidence =
                         "text/html byte ratio " + evidenceNumber<3>(facts->multipart_ratio);
                   return true;
                 });
               });

  registry.add("check_qp_ratio",
               [](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
                 std::vector<double> n;
                 if (!evalNumbers(args, 1, 1, n))
                   return evalArgumentError("check_qp_ratio", "(min)");
                 return EvalBuild::success([min = n[0], locales = okLocales(context)](
                                               const EvalInput& in, std::string* evidence) {
                   const MimeAttachmentFacts* facts = attachmentFacts(in, locales);
                   if (!facts || facts->qp_ratio < min) return false;
                   if (evidence)
                     *evidence = "quoted-printable ratio " + evidenceNumber<3>(facts->qp_ratio);
                   return true;
                 });
               });

  registry.add("check_for_ascii_text_illegal",
               [](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
                 if (!args.empty())
                   return evalArgumentError("check_for_ascii_text_illegal", "no arguments");
                 return EvalBuild::success(
                     [locales = okLocales(context)](const EvalInput& in, std::string* evidence) {
                       const MimeAttachmentFacts* facts = attachmentFacts(in, locales);
                       if (!facts || facts->ascii_text_illegal == 0) return false;
                       if (evidence)
                         *evidence = std::to_string(facts->ascii_text_illegal) +
                                     " non-ASCII line(s) in us-ascii";
                       return true;
                     });
               });

  registry.add(
      "check_abundant_unicode_ratio",
      [](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
        std::vector<double> n;
        const bool shaped = args.size() == 1 && args[0].find('.') != std::string::npos &&
                            args[0].find('.') <= 3 && args[0].size() - args[0].find('.') - 1 >= 1 &&
                            args[0].size() - args[0].find('.') - 1 <= 3;
        if (!shaped || !evalNumbers(args, 1, 1, n) || n[0] < 0)
          return evalArgumentError("check_abundant_unicode_ratio", "(ratio) written as d.ddd");
        return EvalBuild::success([ratio = n[0], locales = okLocales(context)](
                                      const EvalInput& in, std::string* evidence) {
          const MimeAttachmentFacts* facts = attachmentFacts(in, locales);
          if (!facts || facts->text_unicode_ratio < ratio) return false;
          if (evidence)
            *evidence = "&#x....; ratio " + evidenceNumber<3>(facts->text_unicode_ratio);
          return true;
        });
      });

  registry.add("check_for_faraway_charset",
               [](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
                 if (!args.empty())
                   return evalArgumentError("check_for_faraway_charset", "no arguments");
                 const OkLocales locales = okLocales(context);
                 if (locales.all)
                   return EvalBuild::success([](const EvalInput&, std::string*) { return false; });
                 return EvalBuild::success([locales](const EvalInput& in, std::string* evidence) {
                   const auto charset = topCharset(in.view);
                   if (!charset || charsetOkForLocales(*charset, locales)) return false;
                   if (!moreHighBitsSet(in.view.body)) return false;
                   if (evidence) *evidence = "charset " + *charset;
                   return true;
                 });
               });

  registry.add("check_for_uppercase",
               [](const std::vector<std::string>& args, EvalBuildContext& context) -> EvalBuild {
                 std::vector<double> n;
                 if (!evalNumbers(args, 2, 2, n))
                   return evalArgumentError("check_for_uppercase", "(min, max)");
                 return EvalBuild::success([min = n[0], max = n[1], locales = okLocales(context)](
                                               const EvalInput& in, std::string* evidence) {
                   struct Uppercase {
                     double percent;
                   };
                   const double percent =
                       in.facts
                           .get<Uppercase>([&] { return Uppercase{uppercasePercent(in, locales)}; })
                           .percent;
                   if (!(percent > min && percent <= max)) return false;
                   if (evidence) *evidence = evidenceNumber<3>(percent) + "% upper case";
                   return true;
                 });
               });

  registry.add("check_ma_non_text",
               [](const std::vector<std::string>& args, EvalBuildContext&) -> EvalBuild {
                 if (!args.empty()) return evalArgumentError("check_ma_non_text", "no arguments");
                 return EvalBuild::success([](const EvalInput& in, std::string* evidence) {
                   const auto type = multipartAlternativeNonText(saMimeParts(in));
                   if (!type) return false;
                   if (evidence) *evidence = "multipart/alternative holds " + *type;
                   return true;
                 });
               });

  registry.add(
      "check_base64_length",
      [](const std::vector<std::string>& args, EvalBuildContext&) -> EvalBuild {
        std::vector<double> n;
        if (!evalNumbers(args, 1, 2, n))
          return evalArgumentError("check_base64_length", "(min[, max])");
        const double min = n[0];
        const std::optional<double> max = n.size() > 1 ? std::optional<double>(n[1]) : std::nullopt;
        return EvalBuild::success([min, max](const EvalInput& in, std::string* evidence) {
          const double longest =
              static_cast<double>(in.facts
                                      .get<Base64Length>([&] {
                                        return Base64Length{longestBase64Line(saMimeParts(in))};
                                      })
                                      .longest);
          if ((max && longest > *max) || longest < min) return false;
          if (evidence) *evidence = "base64 line of " + evidenceNumber<3>(longest) + " bytes";
          return true;
        });
      });

  registry.add("check_msg_parse_flags",
               [](const std::vector<std::string>& args, EvalBuildContext&) -> EvalBuild {
                 static const MimeParseFlags kNoFlags;
                 if (args.size() != 1 || !mimeParseFlag(kNoFlags, args[0]))
                   return evalArgumentError("check_msg_parse_flags", "(a known parser flag)");
                 const std::string name = args[0];
                 return EvalBuild::success([name](const EvalInput& in, std::string* evidence) {
                   if (!*mimeParseFlag(mimeParseFlags(in), name)) return false;
                   if (evidence) *evidence = name;
                   return true;
                 });
               });
}

}  // namespace portcullis::content
