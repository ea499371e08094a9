// A TokenStore that reports what goes through it to the gateway's metrics (FilterEvents, no
// Prometheus here): each classification's store read with its time, each message learnt by class
// and by who taught it (`source`), and each failed operation; and it hands the metrics a probe of
// the store's size, read at each scrape. Everything else is the wrapped store's. Two
// ObservedStores may wrap one store, to tell two sources apart.
#pragma once

#include <memory>

#include "filters/classifier/token_store.h"
#include "gateway/core/filter_events.h"

namespace portcullis::classifier {

class ObservedStore : public TokenStore {
 public:
  ObservedStore(std::shared_ptr<TokenStore> store, FilterEvents events, LearnSource source);

  std::string_view backend() const override { return store_->backend(); }
  Result<StoreTotals> lookup(std::span<const TokenHash> tokens,
                             std::span<TokenCounts> counts) override;
  Result<LearnOutcome> learn(const MessageDigest& digest, MessageClass cls,
                             std::span<const TokenHash> tokens) override;
  Result<LearnOutcome> forget(const MessageDigest& digest,
                              std::span<const TokenHash> tokens) override;
  Result<StoreTotals> totals() override;
  Status expire(std::uint64_t max_tokens) override;

 private:
  template <typename R>
  R counted(R result) const {
    if (!result.ok() && events_.classifier_failed) events_.classifier_failed();
    return result;
  }

  std::shared_ptr<TokenStore> store_;
  FilterEvents events_;
  LearnSource source_;
  std::shared_ptr<const ClassifierSizeProbe> size_probe_;  // the metrics hold a weak_ptr
};

}  // namespace portcullis::classifier
