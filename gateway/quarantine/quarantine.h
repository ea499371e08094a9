// The quarantine store: messages the policy held back, kept until an administrator releases or
// deletes them or they expire. Layout under the quarantine directory:
//
//   store/           a spool::Spool (same durability as the delivery queue: write, fsync, rename,
//                    fsync the directory); each entry is the original MessageMeta with the
//                    quarantine details and the message bytes (stored_message.h). The truth.
//   index.sqlite3    the searchable index (quarantine_index.h); rebuilt from store/ when missing
//                    or damaged, reconciled with store/ when the gateway opens it as owner.
//   released/ID      the durable marker of a release in progress (release_marker.h).
//   operations.lock  flock()ed during release, remove and expire, so the gateway and the CLI
//                    never work on the same entry at once.
//
// add() is durable when it returns success: the entry is in store/ and then in the index (an
// index failure after the store only delays listing until the next expire() or start).
// release() delivers exactly once across crashes: the delivery queue id is chosen and recorded
// durably before the copy is queued, re-used by a retried release (so the queue's store refuses a
// second copy while it is still queued), and the quarantine entry is removed only after the
// marker records that the copy is queued. The one case left: a crash after the queue's store and
// before the marker update, when the queue delivers and removes the copy before the release is
// retried — the retry then queues it again (at least once, like the spool's own remove()).
//
// Thread safety: every member function may be called from any thread at once (add() from the
// workers, expire() from the daemon's timer, list/size from the metrics scrape).
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/quarantine/quarantine_entry.h"
#include "gateway/quarantine/quarantine_index.h"
#include "gateway/quarantine/release_marker.h"
#include "gateway/spool/spool.h"

namespace portcullis::quarantine {

using spool::Result;
using spool::Status;

struct ExpireReport {
  std::vector<std::string> removed;  // ids
  std::vector<std::string> errors;
};

class Quarantine {
 public:
  // Owner (the gateway): creates the directories, takes the store's lock, recovers the store
  // (crash leftovers, corrupt files), finishes interrupted releases and reconciles the index.
  // Shared (the CLI): needs an existing quarantine; rebuilds a missing or damaged index only
  // while the gateway is not running (otherwise it fails and the gateway rebuilds it at start).
  static Result<std::unique_ptr<Quarantine>> open(
      const std::filesystem::path& directory,
      spool::SpoolAccess access = spool::SpoolAccess::Owner);
  Quarantine(const Quarantine&) = delete;
  Quarantine& operator=(const Quarantine&) = delete;

  // Stores the message under meta.id (its queue id; must be unused in the quarantine).
  Status add(const spool::MessageMeta& meta, std::string_view message, const Details& details);
  // Newest first.
  Result<std::vector<Entry>> list(const Filter& filter) const;
  Result<ShownEntry> show(std::string_view id) const;
  // The quarantined message itself, as it was kept.
  Result<std::string> message(std::string_view id) const;
  // Queues the message in `queue` under a new queue id with its original envelope and client,
  // an "X-Portcullis-Released: ID DATE" header field prepended, then removes it from the
  // quarantine. Returns the new queue id.
  Result<std::string> release(std::string_view id, spool::Spool& queue);
  Status remove(std::string_view id);
  // Removes the entries that arrived before now - retention (entries being released are kept).
  ExpireReport expire(std::chrono::milliseconds retention, TimePoint now = Clock::now());
  Result<Usage> size() const;
  // Messages per hour of arrival since `since`, newest hour first (hours without any left out).
  Result<std::vector<HourCount>> hourlyCounts(TimePoint since) const;

  // What open() found and did (corrupt files moved aside, index rebuilt, releases finished),
  // for the log.
  const std::vector<std::string>& openNotes() const { return open_notes_; }
  const std::filesystem::path& directory() const { return directory_; }

 private:
  Quarantine(std::filesystem::path directory, spool::Spool store);
  Status openIndex(spool::SpoolAccess access);
  // Refills the index from the store (adds what is missing, drops what is gone). Called by open()
  // and, under the operations lock, by expire() after an index write failed.
  Status reconcileIndex();
  void finishInterruptedReleases();
  bool contains(std::string_view id) const;
  Result<spool::QueueFile> loadOriginal(std::string_view id, Details& details) const;
  Status finishRelease(std::string_view id);

  std::filesystem::path directory_;
  spool::Spool store_;
  std::unique_ptr<QuarantineIndex> index_;
  ReleaseMarkers markers_;
  std::atomic<bool> index_stale_{false};
  std::vector<std::string> open_notes_;
};

// The "X-Portcullis-Released" field, "X-Portcullis-Released: ID Fri, 27 Nov 2026 18:54:32
// +0000\r\n".
std::string releasedHeaderField(std::string_view id, TimePoint when);

}  // namespace portcullis::quarantine
