// What one delivery attempt changes: from the next hop's replies per recipient to the new
// delivery state, and what the queue runner must do next (remove the entry, bounce some
// recipients, send a delay notice, retry at a time). Pure: the runner does the I/O.
//
// Crash-safe order for the runner: first store any notice (Spool::store of the DSN), then
// updateState() or remove(). A crash in between sends a notice twice at worst, never loses one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gateway/spool/backoff.h"
#include "gateway/spool/dsn.h"
#include "gateway/spool/queue_entry.h"

namespace portcullis::spool {

// The reply the next hop gave for one recipient (the fields of smtp::Reply). For a connection
// that failed before the recipient was tried, the runner passes its synthesized 4xx reply.
struct RecipientOutcome {
  int code = 0;          // 2xx delivered, 5xx failed for good, anything else temporary
  std::string enhanced;  // "5.1.1", may be empty
  std::string text;      // may hold several lines separated by '\n'
};

// "550 5.1.1 text" on one line, as stored and as quoted in a DSN.
std::string replyLine(const RecipientOutcome& outcome);

struct AttemptPlan {
  DeliveryState state;                // write with updateState() unless `remove_entry`
  bool remove_entry = false;          // nothing is left to deliver
  std::vector<DsnRecipient> failed;   // queue a Failure notice for these (may be empty)
  std::vector<DsnRecipient> delayed;  // queue a Delay notice for these (may be empty)
  TimePoint retry_at{};               // when not removed: the next attempt
  bool expired = false;               // the lifetime ran out: the rest was bounced
};

// `outcomes` has one element per envelope recipient; empty ones were not tried this time
// (already delivered or failed before). Counts the attempt, records the replies, and asks the
// back-off schedule what next when recipients remain. Recipients selected for a notice are
// marked notified in the returned state (and delay_notice_sent is set).
AttemptPlan planAfterAttempt(const BackoffSettings& backoff, const MessageMeta& meta,
                             DeliveryState state,
                             const std::vector<std::optional<RecipientOutcome>>& outcomes,
                             const std::string& remote_mta, TimePoint now, double jitter_unit);

}  // namespace portcullis::spool
