#include "filters/content/autolearn.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace portcullis::content {
namespace {

enum class PointKind { Header, Body, Meta, Other };

PointKind pointKind(RuleType type) {
  switch (type) {
    case RuleType::Header:
    case RuleType::MimeHeader:
      return PointKind::Header;
    case RuleType::Body:
    case RuleType::RawBody:
    case RuleType::Uri:
      return PointKind::Body;
    case RuleType::Meta:
      return PointKind::Meta;
    case RuleType::Full:
      return PointKind::Other;
  }
  return PointKind::Other;
}

bool hasFlag(const Rule& rule, const char* flag) {
  return std::find(rule.tflags.begin(), rule.tflags.end(), flag) != rule.tflags.end();
}

// SpamAssassin rounds a meta rule's shares to three decimals.
double rounded(double value) {
  return std::round(value * 1000) / 1000;
}

}  // namespace

AutolearnPoints autolearnPoints(const CompiledRules& rules, const ScanResult& result) {
  const int scan_set = rules.options().score_set;
  const int learn_set = scan_set & ~2;  // the same set without the classifier
  AutolearnPoints points;
  for (const auto& hit : result.hits) {
    const CompiledRules::CompiledRule& cr = rules.rules()[hit.rule];
    if (!cr.reported) continue;
    const Rule& rule = cr.rule;
    if (hasFlag(rule, "noautolearn") || hasFlag(rule, "userconf")) continue;
    if (hasFlag(rule, "learn")) {
      points.learned += effectiveScore(rule, scan_set);
      continue;
    }
    if (hasFlag(rule, "autolearn_force")) points.forced = true;
    const double score = effectiveScore(rule, learn_set);
    if (score == 0) continue;
    points.total += score;
    PointKind kind = pointKind(rule.type);
    if (hasFlag(rule, "autolearn_header")) kind = PointKind::Header;
    if (hasFlag(rule, "autolearn_body")) kind = PointKind::Body;
    if (kind == PointKind::Header) points.header += score;
    if (kind == PointKind::Body) points.body += score;
    if (kind != PointKind::Meta) continue;
    int header_operands = 0, body_operands = 0;
    for (const int operand : cr.meta_operands) {
      if (operand < 0) continue;
      const PointKind operand_kind = pointKind(rules.rules()[operand].rule.type);
      header_operands += operand_kind == PointKind::Header;
      body_operands += operand_kind == PointKind::Body;
    }
    const int operands = header_operands + body_operands;
    if (operands == 0) continue;
    points.header += rounded(score * header_operands / operands);
    points.body += rounded(score * body_operands / operands);
  }
  points.total = rounded(points.total);
  return points;
}

std::optional<classifier::MessageClass> autolearnClass(
    const AutolearnPoints& points, const classifier::AutolearnSettings& settings, bool is_spam) {
  // How strongly the classifier's own rules may disagree before autolearn defers to them.
  constexpr double kClassifierSaidHam = -1.0;
  constexpr double kClassifierSaidSpam = 1.0;
  if (points.total < settings.ham_threshold) {
    if (points.learned > kClassifierSaidSpam || is_spam) return std::nullopt;
    return classifier::MessageClass::Ham;
  }
  if (points.total < settings.spam_threshold) return std::nullopt;
  if (!points.forced &&
      (points.body < settings.min_body_points || points.header < settings.min_header_points))
    return std::nullopt;
  if (points.learned < kClassifierSaidHam || !is_spam) return std::nullopt;
  return classifier::MessageClass::Spam;
}

}  // namespace portcullis::content
