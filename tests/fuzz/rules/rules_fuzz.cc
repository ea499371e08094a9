// Fuzzes the rule-file parser (with its condition, regex-literal and meta-expression readers) and
// the pattern rewriter on arbitrary text: they must never crash, hang or read out of bounds,
// whatever the input.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "filters/content/meta_expression.h"
#include "filters/content/pattern_rewrite.h"
#include "filters/content/rule_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace portcullis::content;
  ParseOptions options;
  options.follow_includes = false;
  RuleParser parser(options);
  parser.addText(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.cf");
  RuleSet set = parser.finish();
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  restrictToPlainText(raw);
  withoutPieceAnchors(raw);
  inRe2Dialect(raw);
  PackedMetaPrograms packed;
  for (const Rule& rule : set.rules) {
    restrictToPlainText(rule.regex.pattern);
    withoutPieceAnchors(rule.regex.pattern);
    inRe2Dialect(rule.regex.pattern);
    if (rule.type != RuleType::Meta) continue;
    auto parsed = MetaExpression::parse(rule.meta_expression);
    if (parsed) {
      std::vector<double> values(parsed->operands().size(), 1.0);
      parsed->evaluate(values);
      const std::vector<uint32_t> ids(parsed->operands().size(), 0);
      const uint32_t place = packed.add(*parsed, ids);
      packed.evaluate(place, [](uint32_t) { return 1.0; });
    }
  }
  return 0;
}
