#include "filters/classifier/classifier.h"

#include <utility>

#include "filters/classifier/combiner.h"
#include "filters/classifier/tokenizer.h"

namespace portcullis::classifier {
namespace {

TokenizerSettings tokenizerSettings(const ClassifierSettings& settings, bool keep_texts) {
  TokenizerSettings t;
  t.max_tokens = settings.max_tokens_per_message;
  t.osb_window = settings.osb_window;
  t.keep_texts = keep_texts;
  return t;
}

// The message's identity: the digest of its raw text, or (when the caller has no raw text) of
// its tokens.
MessageDigest digestOf(const ClassifierInput& input, const Tokens& tokens) {
  if (!input.raw.empty()) return messageDigest(input.raw);
  std::string bytes = "tokens\n\n";
  for (TokenHash h : tokens.hashes)
    for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>(h >> (8 * i)));
  return messageDigest(bytes);
}

}  // namespace

Classifier::Classifier(std::shared_ptr<TokenStore> store, ClassifierSettings settings)
    : store_(std::move(store)), settings_(settings) {}

Classification Classifier::classify(const ClassifierInput& input, bool explain) const {
  Classification out;
  const Tokens tokens = tokenize(input, tokenizerSettings(settings_, explain));
  std::vector<TokenCounts> counts(tokens.hashes.size());
  auto totals = store_->lookup(tokens.hashes, counts);
  if (!totals) {
    out.error = totals.error;
    return out;
  }
  out.available = true;
  out.spam_learned = totals->spam_messages;
  out.ham_learned = totals->ham_messages;
  if (out.spam_learned < settings_.min_spam_learned || out.ham_learned < settings_.min_ham_learned)
    return out;
  CombinerSettings combiner;
  combiner.max_interesting = settings_.max_interesting_tokens;
  std::vector<std::size_t> telling;
  out.probability =
      combine(counts, out.spam_learned, out.ham_learned, combiner, explain ? &telling : nullptr);
  for (std::size_t i : telling) {
    TellingToken t;
    t.text = tokens.texts[i];
    t.counts = counts[i];
    t.probability =
        tokenProbability(counts[i], out.spam_learned, out.ham_learned, combiner).value_or(0.5);
    out.telling.push_back(std::move(t));
  }
  return out;
}

Result<LearnOutcome> Classifier::learn(const ClassifierInput& input, MessageClass cls) const {
  const Tokens tokens = tokenize(input, tokenizerSettings(settings_, false));
  return store_->learn(digestOf(input, tokens), cls, tokens.hashes);
}

Result<LearnOutcome> Classifier::forget(const ClassifierInput& input) const {
  const Tokens tokens = tokenize(input, tokenizerSettings(settings_, false));
  return store_->forget(digestOf(input, tokens), tokens.hashes);
}

}  // namespace portcullis::classifier
