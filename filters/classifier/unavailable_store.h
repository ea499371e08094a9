// A store that could not be opened (a corrupt or foreign file, an unwritable directory), standing
// in for it so that the gateway still starts and mail flows: every operation fails with the
// reason the store did not open, so the classifier gives no probability (BAYES_* rules do not
// hit) and learning reports the reason.
#pragma once

#include <string>

#include "filters/classifier/token_store.h"

namespace portcullis::classifier {

class UnavailableStore : public TokenStore {
 public:
  UnavailableStore(std::string backend, std::string reason)
      : backend_(std::move(backend)), reason_(std::move(reason)) {}

  std::string_view backend() const override { return backend_; }
  Result<StoreTotals> lookup(std::span<const TokenHash>, std::span<TokenCounts>) override {
    return Result<StoreTotals>::failure(reason_);
  }
  Result<LearnOutcome> learn(const MessageDigest&, MessageClass,
                             std::span<const TokenHash>) override {
    return Result<LearnOutcome>::failure(reason_);
  }
  Result<LearnOutcome> forget(const MessageDigest&, std::span<const TokenHash>) override {
    return Result<LearnOutcome>::failure(reason_);
  }
  Result<StoreTotals> totals() override { return Result<StoreTotals>::failure(reason_); }
  Status expire(std::uint64_t) override { return Status::failure(reason_); }

 private:
  std::string backend_;
  std::string reason_;
};

}  // namespace portcullis::classifier
