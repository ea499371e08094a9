#include "filters/content/rule.h"

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
  return rule.name.rfind("T_", 0) == 0 ? 0.01 : 1.0;
}

}  // namespace portcullis::content
