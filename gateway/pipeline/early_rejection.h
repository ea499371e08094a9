// The refusal of a recipient when a check of the connect or MAIL stage has already forced a reject
// (a DNS list zone with reject = true, SPF fail with reject_on_fail). The transaction flow refuses
// every recipient with it, for both front ends, so the client learns at RCPT instead of after
// sending the message. The caller waits for those checks first; this only reads their reports.
#pragma once

#include <optional>

#include "gateway/core/report.h"
#include "gateway/core/verdict.h"
#include "gateway/pipeline/policy.h"

namespace portcullis {

// The Reject verdict (the forced code, enhanced code and text, or the policy's defaults) when the
// connection's or the transaction's report forces a reject; nullopt otherwise: a forced tempfail,
// discard or quarantine is decided at the end of the message. `transaction` may be null (no MAIL
// checks started).
std::optional<Verdict> earlyRejection(const Policy& policy, const Report& connection,
                                      const Report* transaction);

}  // namespace portcullis
