#include "filters/classifier/observed_store.h"

#include <chrono>

namespace portcullis::classifier {

ObservedStore::ObservedStore(std::shared_ptr<TokenStore> store, FilterEvents events,
                             LearnSource source)
    : store_(std::move(store)), events_(std::move(events)), source_(source) {
  if (!events_.classifier_store) return;
  // The probe shares the wrapped store, so a scrape that holds it keeps the store alive.
  size_probe_ = std::make_shared<const ClassifierSizeProbe>(
      [store = store_, failed = events_.classifier_failed]() -> std::optional<ClassifierStoreSize> {
        auto totals = store->totals();
        if (!totals) {
          if (failed) failed();
          return std::nullopt;
        }
        return ClassifierStoreSize{totals->bytes, totals->tokens, totals->spam_messages,
                                   totals->ham_messages};
      });
  events_.classifier_store(size_probe_);
}

Result<StoreTotals> ObservedStore::lookup(std::span<const TokenHash> tokens,
                                          std::span<TokenCounts> counts) {
  const auto start = std::chrono::steady_clock::now();
  auto result = store_->lookup(tokens, counts);
  if (events_.classified) events_.classified(std::chrono::steady_clock::now() - start, result.ok());
  return counted(std::move(result));
}

Result<LearnOutcome> ObservedStore::learn(const MessageDigest& digest, MessageClass cls,
                                          std::span<const TokenHash> tokens) {
  auto result = store_->learn(digest, cls, tokens);
  if (result && events_.learned &&
      (*result == LearnOutcome::Learned || *result == LearnOutcome::Relearned))
    events_.learned(cls == MessageClass::Spam ? LearnedClass::Spam : LearnedClass::Ham, source_);
  return counted(std::move(result));
}

Result<LearnOutcome> ObservedStore::forget(const MessageDigest& digest,
                                           std::span<const TokenHash> tokens) {
  return counted(store_->forget(digest, tokens));
}

Result<StoreTotals> ObservedStore::totals() {
  return counted(store_->totals());
}

Status ObservedStore::expire(std::uint64_t max_tokens) {
  return counted(store_->expire(max_tokens));
}

}  // namespace portcullis::classifier
