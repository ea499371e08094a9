#include "filters/content/eval/classifier_facts.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <limits>
#include <string>
#include <utility>

#include "filters/content/eval/message_facts.h"

namespace portcullis::content {
namespace {

// Logs a store failure unless one was logged less than kUnavailableLogInterval ago.
void logUnavailable(const classifier::Classifier& classifier, const std::string& reason) {
  constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::min();
  static std::atomic<std::int64_t> last_logged{kNever};
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
  std::int64_t last = last_logged.load();
  if (last != kNever && now - last < kUnavailableLogInterval.count()) return;
  if (!last_logged.compare_exchange_strong(last, now)) return;
  spdlog::warn("classifier unavailable ({} store): {}; no BAYES_* rule runs until it is back",
               classifier.store().backend(), reason);
}

}  // namespace

classifier::ClassifierInput classifierInputOf(const ContentView& view) {
  classifier::ClassifierInput input;
  input.headers.reserve(view.headers.size());
  for (const auto& header : view.headers) input.headers.emplace_back(header.name, header.decoded);
  input.body = view.body;
  input.uris = view.uris;
  input.raw = view.full;
  return input;
}

const classifier::Classification& ClassifierRun::get() const {
  if (!result_) {
    result_ = classifier_->classify(classifierInputOf(*view_));
    if (!result_->available) logUnavailable(*classifier_, result_->error);
  }
  return *result_;
}

const classifier::Classification& classificationOf(const classifier::Classifier& classifier,
                                                   const EvalInput& input) {
  if (input.view.classifier_run) return input.view.classifier_run->get();
  return input.facts.get<ClassifierRun>([&] { return ClassifierRun(classifier, input.view); })
      .get();
}

bool inBayesBucket(double probability, double min, std::optional<double> max) {
  return (min == 0 || probability > min) && (!max || probability <= *max);
}

EvalTest bayesTest(std::shared_ptr<const classifier::Classifier> classifier, double min,
                   std::optional<double> max) {
  return [classifier = std::move(classifier), min, max](const EvalInput& input,
                                                        std::string* evidence) {
    const classifier::Classification& result = classificationOf(*classifier, input);
    if (!result.probability || !inBayesBucket(*result.probability, min, max)) return false;
    if (evidence) {
      *evidence = fmt::format("classifier probability {:.4f} (learnt {} spam, {} ham)",
                              *result.probability, result.spam_learned, result.ham_learned);
    }
    return true;
  };
}

}  // namespace portcullis::content
