// The `content` check: SpamAssassin-language rules (rules/*.cf by default) matched against the
// parsed message on the worker pool, at the Message stage after the other message checks (a high
// priority) so that meta rules see their symbols (SPF_FAIL, ...). Each reported rule hit becomes a
// Symbol with the rule's name, its score under the score set, and its description, unless another
// check already reported a symbol of that name (whose score then stands alone).
//
// With a classifier ([checks.classifier], SiteServices::classifier) the message is classified at
// most once, when a loaded check_bayes rule asks; a store that fails adds BAYES_UNAVAILABLE (score
// 0, the reason as detail) and no BAYES_* rule hits. With autolearn on, clear verdicts
// (autolearn.h) are handed to a background learner (background_learner.h) and never waited for;
// offline tools never autolearn. Built by contentCheckFactory() (content_config.h) from
// `[checks.content]`.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "filters/content/background_learner.h"
#include "filters/content/content_config.h"
#include "filters/content/eval/site_services.h"
#include "filters/content/rule_engine.h"
#include "gateway/core/check.h"

namespace portcullis::content {

class ContentCheck : public Check {
 public:
  // `learner`: where autolearn hands messages (null: no autolearn), with `autolearn`'s thresholds.
  ContentCheck(std::shared_ptr<RuleEngine> engine, asio::thread_pool& workers,
               std::shared_ptr<BackgroundLearner> learner = nullptr,
               classifier::AutolearnSettings autolearn = {});
  std::string_view name() const override { return "content"; }
  Stage stage() const override { return Stage::Message; }
  int priority() const override { return kPriority; }
  awaitable<void> run(const Transaction& tx, Report& report) const override;

  // For reloads (SIGHUP) and tools: the engine behind the check.
  const std::shared_ptr<RuleEngine>& engine() const { return engine_; }
  // The autolearn learner, or null when autolearn is off.
  const std::shared_ptr<BackgroundLearner>& learner() const { return learner_; }

  static constexpr int kPriority = 100;  // after every other message check

 private:
  // `learnable_score`: the other checks' score, when autolearn may learn this message (no check
  // forced an action on it: a virus, a report to the classifier); nullopt when it may not.
  std::vector<Symbol> scanTransaction(const CompiledRules& rules, const Transaction& tx,
                                      const std::set<std::string>& present, const AuthResults& auth,
                                      std::optional<double> learnable_score) const;
  // Hands the message to the learner when autolearn says so; `score`: the verdict's score.
  void autolearn(const CompiledRules& rules, const ScanResult& result, const ContentView& view,
                 const ClassifierRun& run, double score) const;

  std::shared_ptr<RuleEngine> engine_;
  asio::thread_pool& workers_;
  std::shared_ptr<BackgroundLearner> learner_;
  classifier::AutolearnSettings autolearn_;
  std::string local_host_;
};

// Symbols for the reported hits of one scan (score times the hit count for `tflags multiple`).
std::vector<Symbol> symbolsOf(const CompiledRules& rules, const ScanResult& result);

}  // namespace portcullis::content
