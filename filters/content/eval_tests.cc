#include "filters/content/eval_tests.h"

#include <cctype>
#include <cstdlib>

#include "gateway/core/text.h"

namespace portcullis::content {
namespace {

bool toNumber(const std::string& text, double& out) {
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return !text.empty() && end == text.c_str() + text.size();
}

// Mail::SpamAssassin::Plugin::HeaderEval::check_illegal_chars: bytes with the high bit set
// (except in ALL, where 0xA0 and 0xFF are tolerated) against the header's length.
bool illegalChars(const ContentView& view, const std::string& header, double ratio, double count) {
  std::string text;
  if (header == "ALL") {
    for (const auto& h : view.headers) {
      if (iequals(h.name, "Subject") || iequals(h.name, "From")) continue;
      text.append(h.raw);
    }
  } else {
    auto value = headerText(view, header, HeaderForm::Raw);
    if (!value) return false;
    text = std::move(*value);
  }
  if (text.empty()) return false;
  double illegal = 0;
  for (unsigned char c : text) {
    if (c >= 0x80 && !(header == "ALL" && (c == 0xa0 || c == 0xff))) ++illegal;
  }
  return illegal / static_cast<double>(text.size()) > ratio && illegal >= count;
}

bool subjectAllCaps(const ContentView& view) {
  auto subject = headerText(view, "Subject", HeaderForm::Decoded);
  if (!subject) return false;
  int words = 0, letters = 0;
  bool in_word = false;
  for (unsigned char c : *subject) {
    if (std::isalpha(c)) {
      if (std::islower(c)) return false;
      ++letters;
      if (!in_word) ++words;
      in_word = true;
    } else if (std::isspace(c)) {
      in_word = false;
    }
  }
  return words >= 3 && letters >= 10;
}

int headerCount(const ContentView& view, const std::string& name) {
  int n = 0;
  for (const auto& h : view.headers) n += iequals(h.name, name) ? 1 : 0;
  return n;
}

bool mimeHtmlOnly(const ContentView& view) {
  bool html = false;
  for (const auto& part : view.parts) {
    if (!part.is_leaf) continue;
    if (part.content_type == "text/html") html = true;
    if (part.content_type == "text/plain") return false;
  }
  return html;
}

}  // namespace

std::variant<EvalTest, std::string> makeEvalTest(const std::string& name,
                                                 const std::vector<std::string>& args) {
  auto wrongArgs = [&](const char* expected) {
    return std::string("eval:") + name + " expects " + expected;
  };
  if (name == "check_for_missing_to_header") {
    return EvalTest([](const ContentView& view) {
      return headerCount(view, "To") == 0 && headerCount(view, "Apparently-To") == 0;
    });
  }
  if (name == "check_illegal_chars") {
    double ratio = 0, count = 0;
    if (args.size() != 3 || !toNumber(args[1], ratio) || !toNumber(args[2], count))
      return wrongArgs("(header, ratio, count)");
    return EvalTest([header = args[0], ratio, count](const ContentView& view) {
      return illegalChars(view, header, ratio, count);
    });
  }
  if (name == "subject_is_all_caps") return EvalTest(subjectAllCaps);
  if (name == "check_header_count_range") {
    double min = 0, max = 0;
    if (args.size() != 3 || !toNumber(args[1], min) || !toNumber(args[2], max))
      return wrongArgs("(header, min, max)");
    return EvalTest([header = args[0], min, max](const ContentView& view) {
      const int n = headerCount(view, header);
      return n >= min && n <= max;
    });
  }
  if (name == "check_body_length") {
    double max = 0;
    if (args.size() != 1 || !toNumber(args[0], max)) return wrongArgs("(length)");
    return EvalTest([max](const ContentView& view) {
      // SpamAssassin measures the body without the Subject line that starts bodyText.
      std::string_view body = view.body;
      if (const size_t nl = body.find('\n'); nl != std::string_view::npos)
        body.remove_prefix(nl + 1);
      return static_cast<double>(body.size()) < max;
    });
  }
  if (name == "check_for_mime") {
    if (args.size() != 1) return wrongArgs("(test)");
    if (args[0] == "mime_html_only") return EvalTest(mimeHtmlOnly);
    if (args[0] == "mime_missing_boundary") {
      return EvalTest([](const ContentView& view) { return view.missing_mime_boundary; });
    }
    return "eval:check_for_mime('" + args[0] + "') is not implemented";
  }
  return "unknown eval function " + name;
}

}  // namespace portcullis::content
