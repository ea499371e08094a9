// A digest run: every local recipient with messages quarantined since the last run gets one
// digest, queued in the delivery spool like every message the gateway sends itself (the queue
// runner relays it to the internal MTA, retries it, and bounces a failure to the sender).
//
// Which messages: those still in the quarantine that arrived in [last run's until, now -
// settle_time) — all of them at the first run. The window's end is remembered durably after the
// run (digest_state.h), so a message is listed in one digest only; a crash after queueing and
// before that write repeats the run's digests (at least once, never zero times). Recipients
// outside the digest's local domains, and addresses that are not plain (quarantine::
// isPlainAddress), get nothing; a recipient with nothing new gets nothing.
//
// The envelope sender is the configured sender address, not the null sender: a digest is not a
// notice about a message (RFC 3834 leaves originated mail its own sender), and a digest the
// internal MTA refuses for good then becomes a bounce to that address — the administrator learns
// of a recipient that no longer exists — instead of a message with the null sender that the queue
// can only move to hold/.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gateway/digest/digest_settings.h"
#include "gateway/quarantine/quarantine.h"
#include "gateway/spool/spool.h"
#include "gateway/web/signed_link.h"

namespace portcullis::digest {

struct RecipientDigest {
  std::string recipient;                   // as first seen, a plain address
  std::vector<quarantine::Entry> entries;  // the listed ones, newest first
  size_t total = 0;                        // new messages for this recipient
};

// Groups `entries` (newest first) by recipient (case-insensitively), keeping recipients whose
// domain is in `domains` and whose address is plain; at most `max_listed` entries each. Sorted by
// recipient.
std::vector<RecipientDigest> selectRecipients(const std::vector<quarantine::Entry>& entries,
                                              const std::set<std::string>& domains,
                                              size_t max_listed);

struct ComposedDigest {
  std::string recipient;
  size_t listed = 0;
  size_t total = 0;
  std::string message;
};

struct DigestPlan {
  std::optional<quarantine::TimePoint> since;  // nullopt: the first run
  quarantine::TimePoint until;
  std::vector<ComposedDigest> digests;
};

// The digests a run at `now` makes (reads the state, changes nothing).
Result<DigestPlan> planDigests(const DigestSettings& settings, const quarantine::Quarantine& store,
                               const web::RecipientLinks& links, quarantine::TimePoint now);

struct DigestRunReport {
  DigestPlan plan;
  std::vector<std::string> queued;  // queue ids, one per digest
  std::vector<std::string> errors;
};

// Plans, queues every digest in `queue` and remembers the window, under the run lock. Fails
// without sending anything when the lock is held or the state or the quarantine cannot be read.
Result<DigestRunReport> runDigests(const DigestSettings& settings,
                                   const quarantine::Quarantine& store, spool::Spool& queue,
                                   quarantine::TimePoint now);

}  // namespace portcullis::digest
