// Turns what the checks found into a Verdict: a forced action wins (the strictest one), otherwise
// the total score against the thresholds gives reject / quarantine / tag / accept. It also writes
// the X-Spam-* header fields and the client-facing reply, which names rules only when configured
// (rule internals are not leaked by default).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/verdict.h"

namespace portcullis {

struct PolicySettings {
  double tag_threshold = 5.0;
  double quarantine_threshold = 1e9;
  double reject_threshold = 15.0;
  std::string subject_prefix;
  bool reveal_symbols = false;
};

class Policy {
 public:
  explicit Policy(PolicySettings settings) : settings_(std::move(settings)) {}
  Verdict decide(const Report& report) const;
  // Header fields the gateway writes; removed from incoming mail so senders cannot forge them.
  static const std::vector<std::string_view>& ownHeaderNames();

 private:
  PolicySettings settings_;
};

}  // namespace portcullis
