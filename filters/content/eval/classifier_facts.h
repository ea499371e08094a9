// The classifier's verdict on one message, as the content engine reads it: the message's
// ClassifierInput taken from its ContentView (decoded header fields, rendered body, URIs, the raw
// message), classified at most once per message and only when something asks (a loaded
// check_bayes rule, the content check's autolearn). A store that fails yields no probability and
// its reason, logged at most once per kUnavailableLogInterval; mail keeps flowing. Also the
// check_bayes test itself: SpamAssassin's bucket bounds (Plugin/Bayes.pm).
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "filters/classifier/classifier.h"
#include "filters/classifier/classifier_input.h"
#include "filters/content/content_view.h"
#include "filters/content/eval/eval_input.h"

namespace portcullis::content {

// How often a failing store is logged, at most.
inline constexpr std::chrono::seconds kUnavailableLogInterval{60};

// What the classifier reads of the message behind `view`; points into the view's storage. The
// `learn` command builds its input the same way, so learnt and classified tokens agree.
classifier::ClassifierInput classifierInputOf(const ContentView& view);

// The classification of one message, computed by the first get() and kept. One scan, one thread.
class ClassifierRun {
 public:
  ClassifierRun(const classifier::Classifier& classifier, const ContentView& view)
      : classifier_(&classifier), view_(&view) {}

  const classifier::Classification& get() const;
  bool ran() const { return result_.has_value(); }

 private:
  const classifier::Classifier* classifier_;
  const ContentView* view_;
  mutable std::optional<classifier::Classification> result_;
};

// The classification check_bayes rules read: the content check's run when the view carries one
// (ContentView::classifier_run), else one made once per scan and kept in `facts`.
const classifier::Classification& classificationOf(const classifier::Classifier& classifier,
                                                   const EvalInput& input);

// Whether `probability` falls in SpamAssassin's bucket (min, max]: above `min` (or any value when
// min is 0), at most `max` (no upper bound when max is "undef", here nullopt).
bool inBayesBucket(double probability, double min, std::optional<double> max);

// check_bayes(min, max) answered from `classifier`: never hits while the classifier has no
// probability (too little learnt, store unavailable).
EvalTest bayesTest(std::shared_ptr<const classifier::Classifier> classifier, double min,
                   std::optional<double> max);

}  // namespace portcullis::content
