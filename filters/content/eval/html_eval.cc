// HTMLEval (Mail::SpamAssassin::Plugin::HTMLEval): tests on the structure of the text/html parts,
// read from the facts html_facts.h measures once per message. Each test hits when one HTML part
// satisfies it, as SpamAssassin loops over $pms->{html_all}.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "filters/content/eval/eval_registry.h"
#include "filters/content/eval/evidence_number.h"
#include "filters/content/eval/families.h"
#include "filters/content/eval/html_facts.h"
#include "filters/content/eval/message_facts.h"
#include "filters/content/eval/ok_locales.h"
#include "filters/content/pcre_pattern.h"

namespace portcullis::content {
namespace {

const HtmlFacts& htmlFacts(const EvalInput& in) {
  return in.facts.get<HtmlFacts>(
      [&in] { return in.view.message ? htmlFactsOf(*in.view.message) : HtmlFacts(); });
}

// The first HTML part for which `test` holds; its evidence (when asked) names the part.
using DocumentTest = std::function<bool(const HtmlDocumentFacts&, std::string& why)>;

EvalBuild anyDocument(DocumentTest test) {
  return EvalBuild::success([test = std::move(test)](const EvalInput& in, std::string* evidence) {
    const HtmlFacts& facts = htmlFacts(in);
    for (size_t i = 0; i < facts.documents.size(); ++i) {
      std::string why;
      if (!test(facts.documents[i], why)) continue;
      if (evidence) {
        *evidence = "html part " + std::to_string(i + 1);
        if (!why.empty()) *evidence += ": " + why;
      }
      return true;
    }
    return false;
  });
}

// A comparison as html_eval and html_tag_balance take it ("< 384", "!= 0"): Perl evaluates
// "$value EXPR"; the operators and an integer are what the rules use.
struct Comparison {
  std::string op;
  double operand = 0;

  bool holds(double value) const {
    if (op == "<") return value < operand;
    if (op == "<=") return value <= operand;
    if (op == ">") return value > operand;
    if (op == ">=") return value >= operand;
    if (op == "==") return value == operand;
    return value != operand;
  }
  std::string text() const { return op + " " + evidenceNumber<6>(operand); }
};

std::optional<Comparison> parseComparison(std::string_view expr) {
  auto skipSpaces = [&expr] {
    while (!expr.empty() && expr.front() == ' ') expr.remove_prefix(1);
  };
  skipSpaces();
  Comparison c;
  for (std::string_view op : {"<=", ">=", "==", "!=", "<", ">"}) {
    if (expr.starts_with(op)) {
      c.op = op;
      expr.remove_prefix(op.size());
      break;
    }
  }
  if (c.op.empty()) return std::nullopt;
  skipSpaces();
  while (!expr.empty() && expr.back() == ' ') expr.remove_suffix(1);
  if (!evalNumber(std::string(expr), c.operand)) return std::nullopt;
  return c;
}

// The lower bound and the optional upper bound ("inf" or absent: none) of a range test.
struct Range {
  double min = 0;
  std::optional<double> max;

  bool contains(double value) const { return value > min && (!max || value <= *max); }
  std::string text() const {
    return "(" + evidenceNumber<6>(min) + ", " + (max ? evidenceNumber<6>(*max) : "inf") + "]";
  }
};

std::optional<Range> parseRange(const std::vector<std::string>& args, size_t first) {
  Range range;
  if (args.size() < first + 1 || args.size() > first + 2 || !evalNumber(args[first], range.min))
    return std::nullopt;
  if (args.size() == first + 2 && args[first + 1] != "inf") {
    double max = 0;
    if (!evalNumber(args[first + 1], max)) return std::nullopt;
    range.max = max;
  }
  return range;
}

bool isAlphanumeric(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

std::string quotedExcerpt(std::string_view s) {
  constexpr size_t kMax = 60;
  std::string out = "\"" + std::string(s.substr(0, kMax));
  if (s.size() > kMax) out += "...";
  return out + "\"";
}

std::vector<std::string> splitWords(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

EvalBuild htmlTest(const std::vector<std::string>& args) {
  if (args.size() != 1) return evalArgumentError("html_test", "(test)");
  return anyDocument([name = args[0]](const HtmlDocumentFacts& doc, std::string& why) {
    const double* value = doc.value(name);
    if (!value || *value == 0) return false;
    why = name == "font_low_contrast" && !doc.contrast_evidence.empty() ? doc.contrast_evidence
                                                                        : name;
    return true;
  });
}

EvalBuild htmlEval(const std::vector<std::string>& args) {
  std::optional<Comparison> comparison;
  if (args.size() == 2) comparison = parseComparison(args[1]);
  if (!comparison) return evalArgumentError("html_eval", "(test, 'OPERATOR NUMBER')");
  return anyDocument(
      [name = args[0], c = *comparison](const HtmlDocumentFacts& doc, std::string& why) {
        const double* value = doc.value(name);
        if (!value || !c.holds(*value)) return false;
        why = name + " " + evidenceNumber<6>(*value) + " " + c.text();
        return true;
      });
}

EvalBuild htmlRange(const std::vector<std::string>& args) {
  auto range = args.empty() ? std::nullopt : parseRange(args, 1);
  if (!range) return evalArgumentError("html_range", "(test, min[, max])");
  return anyDocument([name = args[0], r = *range](const HtmlDocumentFacts& doc, std::string& why) {
    const double* value = doc.value(name);
    if (!value || !r.contains(*value)) return false;
    why = name + " " + evidenceNumber<6>(*value) + " in " + r.text();
    return true;
  });
}

EvalBuild htmlTagBalance(const std::vector<std::string>& args) {
  std::optional<Comparison> comparison;
  if (args.size() == 2 && isAlphanumeric(args[0])) comparison = parseComparison(args[1]);
  if (!comparison) return evalArgumentError("html_tag_balance", "(tag, 'OPERATOR NUMBER')");
  return anyDocument(
      [tag = args[0], c = *comparison](const HtmlDocumentFacts& doc, std::string& why) {
        auto it = doc.inside.find(tag);
        if (it == doc.inside.end() || !c.holds(static_cast<double>(it->second))) return false;
        why = "<" + tag + "> left open " + std::to_string(it->second) + " times";
        return true;
      });
}

EvalBuild htmlTagExists(const std::vector<std::string>& args) {
  if (args.size() != 1) return evalArgumentError("html_tag_exists", "(tag)");
  return anyDocument([tag = args[0]](const HtmlDocumentFacts& doc, std::string& why) {
    if (doc.inside.count(tag) == 0) return false;
    why = "<" + tag + ">";
    return true;
  });
}

EvalBuild htmlTextMatch(const std::vector<std::string>& args, bool negate) {
  const char* name = negate ? "html_text_not_match" : "html_text_match";
  if (args.size() != 2) return evalArgumentError(name, "(text, regexp)");
  const std::vector<std::string> known = {"comment", "script", "title", "anchor", "uri"};
  if (std::find(known.begin(), known.end(), args[0]) == known.end())
    return evalArgumentError(name, "one of comment, script, title, anchor, uri as the text");
  RuleRegex regex;
  regex.pattern = args[1];
  auto compiled = PcrePattern::compile(regex, false, true, PcreLimits{});
  if (!compiled)
    return EvalBuild::failure("eval:" + std::string(name) + ": bad regexp: " + compiled.error);
  std::shared_ptr<const PcrePattern> pattern = std::move(*compiled);
  return anyDocument(
      [list = args[0], pattern, negate](const HtmlDocumentFacts& doc, std::string& why) {
        const std::vector<std::string>* texts = doc.texts(list);
        for (const std::string& text : *texts) {
          if (pattern->matches(text) == negate) continue;
          why = list + " " + quotedExcerpt(text);
          return true;
        }
        return false;
      });
}

EvalBuild htmlTitleSubjectRatio(const std::vector<std::string>& args) {
  double ratio = 0;
  if (args.size() != 1 || !evalNumber(args[0], ratio))
    return evalArgumentError("html_title_subject_ratio", "(ratio)");
  return EvalBuild::success([ratio](const EvalInput& in, std::string* evidence) {
    const std::optional<std::string> subject = headerText(in.view, "Subject", HeaderForm::Decoded);
    if (!subject || subject->empty()) return false;
    const HtmlFacts& facts = htmlFacts(in);
    for (const HtmlDocumentFacts& doc : facts.documents) {
      double max = 0;
      for (const std::string& title : doc.titles) {
        if (title.empty() || title == "0") continue;
        size_t chars = 0;
        for (unsigned char c : title) chars += (c & 0xc0) != 0x80 ? 1 : 0;
        max = std::max(max, static_cast<double>(chars) / static_cast<double>(subject->size()));
      }
      if (max <= ratio) continue;
      if (evidence) *evidence = "title " + evidenceNumber<6>(max) + " times as long as the subject";
      return true;
    }
    return false;
  });
}

EvalBuild htmlImageOnly(const std::vector<std::string>& args) {
  auto range = parseRange(args, 0);
  if (!range || args.size() != 2) return evalArgumentError("html_image_only", "(min, max)");
  return anyDocument([r = *range](const HtmlDocumentFacts& doc, std::string& why) {
    const double* length = doc.value("length");
    if (doc.inside.count("img") == 0 || !length || !r.contains(*length)) return false;
    why = "images with " + evidenceNumber<6>(*length) + " characters of HTML";
    return true;
  });
}

EvalBuild htmlImageRatio(const std::vector<std::string>& args) {
  auto range = parseRange(args, 0);
  if (!range || args.size() != 2) return evalArgumentError("html_image_ratio", "(min, max)");
  return anyDocument([r = *range](const HtmlDocumentFacts& doc, std::string& why) {
    const double* text = doc.value("non_space_len");
    const double* area = doc.value("image_area");
    if (!text || !area || *area <= 0) return false;
    const double ratio = *text / *area;
    if (!r.contains(ratio)) return false;
    why = evidenceNumber<6>(*text) + " characters of text for " + evidenceNumber<6>(*area) +
          " pixels of image (" + evidenceNumber<6>(ratio) + ")";
    return true;
  });
}

EvalBuild htmlCharsetFaraway(const std::vector<std::string>& args, EvalBuildContext& context) {
  if (!args.empty()) return evalArgumentError("html_charset_faraway", "no arguments");
  const OkLocales locales = okLocales(context);
  if (locales.all) return EvalBuild::success([](const EvalInput&, std::string*) { return false; });
  return anyDocument([locales](const HtmlDocumentFacts& doc, std::string& why) {
    int okay = 0, bad = 0;
    for (const std::string& declared : doc.charsets) {
      for (const std::string& charset : splitWords(declared)) {
        (charsetOkForLocales(charset, locales) ? okay : bad) += 1;
        if (why.empty() && !charsetOkForLocales(charset, locales)) why = "charset " + charset;
      }
    }
    return bad > 0 && bad >= okay;
  });
}

}  // namespace

void registerHtmlEvals(EvalRegistry& registry) {
  registry.add("html_test", [](const auto& args, auto&) { return htmlTest(args); });
  registry.add("html_eval", [](const auto& args, auto&) { return htmlEval(args); });
  registry.add("html_range", [](const auto& args, auto&) { return htmlRange(args); });
  registry.add("html_tag_balance", [](const auto& args, auto&) { return htmlTagBalance(args); });
  registry.add("html_tag_exists", [](const auto& args, auto&) { return htmlTagExists(args); });
  registry.add("html_text_match",
               [](const auto& args, auto&) { return htmlTextMatch(args, false); });
  registry.add("html_text_not_match",
               [](const auto& args, auto&) { return htmlTextMatch(args, true); });
  registry.add("html_title_subject_ratio",
               [](const auto& args, auto&) { return htmlTitleSubjectRatio(args); });
  registry.add("html_image_only", [](const auto& args, auto&) { return htmlImageOnly(args); });
  registry.add("html_image_ratio", [](const auto& args, auto&) { return htmlImageRatio(args); });
  registry.add("html_charset_faraway",
               [](const auto& args, auto& context) { return htmlCharsetFaraway(args, context); });
  registry.add("check_iframe_src", [](const auto& args, auto&) -> EvalBuild {
    if (!args.empty()) return evalArgumentError("check_iframe_src", "no arguments");
    return anyDocument([](const HtmlDocumentFacts& doc, std::string& why) {
      if (doc.iframe_src.empty()) return false;
      why = "iframe src " + quotedExcerpt(doc.iframe_src);
      return true;
    });
  });
}

}  // namespace portcullis::content
