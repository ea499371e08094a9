#include "filters/content/rule.h"

#include <algorithm>

namespace portcullis::content {

std::string_view toString(RuleType t) {
  switch (t) {
    case RuleType::Header:
      return "header";
    case RuleType::Body:
      return "body";
    case RuleType::RawBody:
      return "rawbody";
    case RuleType::Full:
      return "full";
    case RuleType::Uri:
      return "uri";
    case RuleType::MimeHeader:
      return "mimeheader";
    case RuleType::Meta:
      return "meta";
  }
  return "?";
}

double effectiveScore(const Rule& rule, int set) {
  if (rule.isSubRule()) return 0;
  if (rule.scores) return (*rule.scores)[set < 0 || set > 3 ? 0 : set];
  // SpamAssassin's defaults: 1.0, 0.01 for T_ (testing) rules, negated for `tflags nice`.
  const double magnitude = rule.name.rfind("T_", 0) == 0 ? 0.01 : 1.0;
  const bool nice = std::find(rule.tflags.begin(), rule.tflags.end(), "nice") != rule.tflags.end();
  return nice ? -magnitude : magnitude;
}

}  // namespace portcullis::content
