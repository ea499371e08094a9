// When the content check teaches the classifier by itself (autolearn), as SpamAssassin's
// AutoLearnThreshold plugin decides it: the score learnt on is recomputed from the rules that hit,
// in the score set without the classifier (set 0 or 1), leaving out the classifier's own rules
// (`tflags learn`), `tflags noautolearn` and `userconf` rules; header and body rules' points are
// summed apart (a meta rule's shared between them as its operands are). A message is learnt as
// ham below the ham threshold and as spam at or above the spam threshold when it also has enough
// header and body points (unless an `autolearn_force` rule hit), when the classifier does not
// disagree strongly, and when the verdict itself agrees.
#pragma once

#include <optional>

#include "filters/classifier/classifier_config.h"
#include "filters/classifier/token_store.h"
#include "filters/content/compiled_rules.h"

namespace portcullis::content {

struct AutolearnPoints {
  double total = 0;     // the score autolearn compares with its thresholds
  double header = 0;    // of which from header rules
  double body = 0;      // of which from body, rawbody and uri rules
  double learned = 0;   // the classifier's own rules (`tflags learn`), in the scan's score set
  bool forced = false;  // an `autolearn_force` rule hit
};

// The points of the reported rules that hit in `result`.
AutolearnPoints autolearnPoints(const CompiledRules& rules, const ScanResult& result);

// The class to learn the message as, or nullopt. `is_spam`: the verdict's score reached the
// spam threshold (SpamAssassin's required_score).
std::optional<classifier::MessageClass> autolearnClass(
    const AutolearnPoints& points, const classifier::AutolearnSettings& settings, bool is_spam);

}  // namespace portcullis::content
