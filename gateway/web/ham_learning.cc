#include "gateway/web/ham_learning.h"

#include "filters/learning/message_learning.h"
#include "gateway/metrics/learn_ledger.h"

namespace portcullis::web {

std::string learnAsHam(const classifier::ClassifierConfig& config,
                       const std::filesystem::path& queue_dir, std::string_view message) {
  auto classifier = classifier::openClassifier(config, queue_dir);
  if (!classifier) return "not learnt as ham: " + classifier.error;
  auto outcome = learning::learnMessage(**classifier, message, classifier::MessageClass::Ham);
  if (!outcome) return "not learnt as ham: " + outcome.error;
  if (*outcome == classifier::LearnOutcome::AlreadyLearned) return "already learnt as ham";
  metrics::LearnCounts counts;
  counts.at(LearnedClass::Ham, LearnSource::Release) = 1;
  std::string sentence =
      *outcome == classifier::LearnOutcome::Relearned ? "relearnt as ham" : "learnt as ham";
  if (auto added = metrics::addToLearnLedger(queue_dir / metrics::kLearnLedgerName, counts);
      !added) {
    sentence += " (not counted in the metrics: " + added.error + ")";
  }
  return sentence;
}

}  // namespace portcullis::web
