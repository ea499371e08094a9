// The DKIM check (Stage::Message): verifies every DKIM-Signature of the message (up to a
// configured number), fetching keys through the async resolver and doing the crypto on the
// worker pool. Findings become symbols (DKIM_SIGNED, DKIM_VALID, DKIM_VALID_AU, DKIM_INVALID,
// DKIM_WEAK_SHA1, DKIM_POLICY, DKIM_TEMPERROR, DKIM_PERMERROR, DKIM_TOO_MANY_SIGNATURES) with
// configured scores, and one AuthResults::dkim entry per verified signature for DMARC and the
// Authentication-Results header. Immutable and shared by all sessions.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "filters/dkim/crypto.h"
#include "filters/dkim/dkim_config.h"
#include "filters/dkim/verifier.h"
#include "gateway/core/check.h"

namespace portcullis::dns {
class Resolver;
}

namespace portcullis::dkim {

class DkimCheck : public Check {
 public:
  using Clock = std::function<int64_t()>;  // Unix time now; replaceable for tests

  // `resolver` may be null (offline tools): every key lookup is then a temporary error.
  DkimCheck(DkimOptions options, asio::thread_pool& workers, dns::Resolver* resolver,
            Clock clock = {});

  std::string_view name() const override { return "dkim"; }
  Stage stage() const override { return Stage::Message; }
  awaitable<void> run(const Transaction& tx, Report& report) const override;

 private:
  awaitable<std::vector<KeyAnswer>> fetchKeys(const std::vector<Signature>& signatures,
                                              size_t count) const;
  void addSymbol(Report& report, const std::string& name, std::string detail) const;

  DkimOptions options_;
  asio::thread_pool& workers_;
  dns::Resolver* resolver_;
  Clock clock_;
  std::unique_ptr<KeyCache> keys_;  // thread-safe; shared by all sessions
};

}  // namespace portcullis::dkim
