// The statistical classifier: tokenizes a message, reads what the store knows of its tokens and
// combines their evidence (Robinson's per-token probabilities, with the larger learnt class's
// counts weighed in units of the smaller one, and Fisher's chi-square combining: combiner.h) into
// the probability that the message is spam. It says nothing until the store holds at least the
// configured minimum of spam and of ham messages (SpamAssassin: 200 of each). Learning and
// forgetting go through the same tokenizer, so the store's counts match what classify() reads.
// Thread-safe; a store failure is a value (`available` false with the reason), never an exception.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "filters/classifier/classifier_input.h"
#include "filters/classifier/token_store.h"

namespace portcullis::classifier {

struct ClassifierSettings {
  std::uint64_t min_spam_learned = 200;  // below either minimum, classify() gives no probability
  std::uint64_t min_ham_learned = 200;
  std::size_t max_interesting_tokens = 150;    // the most telling tokens that are combined
  std::size_t max_tokens_per_message = 20000;  // bounded work on enormous messages
  // Sparse bigrams over body words (tokenizer.h), 0: words only. Off by default: on the
  // development corpus (10-fold cross-validation with the stock rules, threshold 5.0) words alone
  // catch 96.8% of spam with 5 of 2,500 ham flagged, window 2 96.6% with 8 ham flagged, window 5
  // 96.2% with 11; the classifier alone at p >= 0.9 is within 0.4% of words alone either way.
  std::size_t osb_window = 0;
};

struct TellingToken {
  std::string text;        // the token as tokenized (only filled when explaining)
  double probability = 0;  // Robinson's f(w)
  TokenCounts counts;
};

struct Classification {
  bool available = false;  // false: the store failed (see `error`)
  std::string error;
  // Empty while the store has not learnt enough, or when no token of the message is telling
  // (SpamAssassin then gives no BAYES_* result either).
  std::optional<double> probability;
  std::uint64_t spam_learned = 0;
  std::uint64_t ham_learned = 0;
  std::vector<TellingToken> telling;  // most telling first, only when explaining
};

class Classifier {
 public:
  Classifier(std::shared_ptr<TokenStore> store, ClassifierSettings settings);

  Classification classify(const ClassifierInput& input, bool explain = false) const;
  Result<LearnOutcome> learn(const ClassifierInput& input, MessageClass cls) const;
  Result<LearnOutcome> forget(const ClassifierInput& input) const;

  TokenStore& store() const { return *store_; }
  const ClassifierSettings& settings() const { return settings_; }

 private:
  std::shared_ptr<TokenStore> store_;
  ClassifierSettings settings_;
};

}  // namespace portcullis::classifier
