// Checks for the milter tests that score by keywords, so each outcome of the policy can be produced
// on purpose: the Subject of the message chooses reject, tempfail, discard, tag, hold (quarantine),
// a slow check or a failing one; recipients "blocked*" are refused at RCPT; client 192.0.2.66 (at
// connect) and senders "spf-fail*" (at MAIL) get a forced reject; every stage leaves a symbol, and
// the envelope the checks saw is echoed in a header field for the tests to compare.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/pipeline/policy.h"
#include "gateway/smtp/session_context.h"

namespace portcullis::milter_test {

// The client address the connect test check forces a reject for.
inline constexpr std::string_view kListedClient = "192.0.2.66";

struct TestContextOptions {
  std::chrono::milliseconds check_timeout{20'000};
  std::chrono::milliseconds slow_check{8'000};  // how long "slow-me" takes
  int generation = 0;  // written into X-Test-Generation (which configuration served the message)
  std::vector<DomainPolicy> domains;                       // [[policy.domain]] overrides
  AccessLists lists;                                       // allow and deny lists of the policy
  std::string listed_client = std::string(kListedClient);  // the connect check rejects it
};

// A SessionContext (hostname "localhost") with a real Pipeline and Policy around the test checks
// ([policy]: tag 5, quarantine 10, reject 15, subject prefix "[SPAM]"; plus the options' domains
// and lists), Authentication-Results "test.portcullis; none", and forged A-R fields claiming
// test.portcullis removed.
std::shared_ptr<smtp::SessionContext> makeTestContext(const TestContextOptions& options);

}  // namespace portcullis::milter_test
