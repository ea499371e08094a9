// The durable queue of the SMTP gateway (Postfix-grade: a message acknowledged with 250 survives
// a crash or power loss). Layout under the spool root:
//
//   lock                  flock()ed by the owning process (the server) so two never recover
//   tmp/                  files being written; anything here at start-up is a crash leftover
//   active/<h>/ID.msg     the message with its envelope: written once, never modified
//   active/<h>/ID.state   delivery state; absent until the first attempt changes something
//   corrupt/              files that failed to decode or checksum, each with a NAME.reason file
//   hold/                 entries that can be neither delivered nor bounced (a notice the next
//                         hop refused for good): ID.msg and ID.state kept with ID.msg.reason,
//                         never relayed again and never deleted by the gateway
//
// <h> is one hex digit from a hash of the queue id, keeping directories small.
//
// store(): write tmp/ID.msg, fsync it, rename into active/<h>/, fsync active/<h>/ — only then
// may the server answer 250. That is one file fsync and one directory fsync per message; the
// state file does not exist yet (its absence means "every recipient pending, due at arrival").
// updateState(): write tmp/ID.state, fsync, rename over active/<h>/ID.state, fsync the directory:
// the state on disk is always either the old or the new one, never a mix.
// remove(): unlink ID.msg, then ID.state. Not fsynced: a crash can at worst bring the entry
// back, and the message is delivered twice (never lost).
//
// Throughput comes from concurrency: each store() waits for two journal commits, and the file
// system merges the commits of concurrent callers, so call store() from several threads (the
// worker pool), not from one.
// Thread safety: distinct ids may be used from any threads at once. Updates of one id must be
// serialized by the caller (the queue runner owns each entry it works on).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/spool/queue_entry.h"
#include "gateway/spool/result.h"

namespace portcullis::spool {

enum class SpoolAccess {
  Owner,   // the server: creates the directories, takes the lock, may recover()
  Shared,  // the CLI: needs an existing spool, takes no lock, recover() refuses
};

// One entry as listed: everything but the message bytes.
struct EntryInfo {
  MessageMeta meta;
  uint64_t message_size = 0;
  DeliveryState state;
};

// One entry with its message bytes.
struct SpoolEntry {
  QueueFile file;
  DeliveryState state;
};

struct CorruptFile {
  std::string file;      // where it was (relative to the spool root)
  std::string moved_to;  // where it is now (relative to the spool root)
  std::string reason;
};

struct RecoveryReport {
  std::vector<EntryInfo> entries;  // to schedule, oldest arrival first
  std::vector<CorruptFile> corrupt;
  std::vector<std::string> removed_tmp;            // crash leftovers deleted from tmp/
  std::vector<std::string> removed_orphan_states;  // state files whose message is gone
  std::vector<std::string> errors;                 // anything that could not be done
};

struct HeldEntry {
  std::string file;  // the message file's name in hold/ (ID.msg, or ID.msg.N for a repeat)
  std::uintmax_t size = 0;
  std::string reason;  // why it was held, as the runner wrote it
};

struct ListReport {
  std::vector<EntryInfo> entries;  // oldest arrival first
  std::vector<std::string> problems;
};

class Spool {
 public:
  static Result<Spool> open(const std::filesystem::path& root,
                            SpoolAccess access = SpoolAccess::Owner);
  Spool(Spool&& other) noexcept;
  Spool& operator=(Spool&& other) noexcept;
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;
  ~Spool();

  // Durably stores a new message (see above). meta.id must be a valid, unused queue id and the
  // envelope must have at least one recipient.
  Status store(const MessageMeta& meta, std::string_view message);

  // Start-up (Owner only, before anything else uses the spool): deletes tmp/ leftovers, moves
  // undecodable files to corrupt/, deletes orphan state files, returns the entries to schedule.
  // A damaged state file is moved to corrupt/ and its message restarts from the initial state.
  RecoveryReport recover();

  // Every entry (read only: changes nothing on disk; problems are only reported).
  ListReport list() const;
  Result<EntryInfo> info(std::string_view id) const;
  Result<SpoolEntry> load(std::string_view id) const;

  // Atomically replaces the delivery state of an existing entry.
  Status updateState(std::string_view id, const DeliveryState& state);
  // Removes the entry (delivery complete, or deleted by the administrator).
  Status remove(std::string_view id);
  // Moves an entry's files to corrupt/ with a reason (e.g. the runner could not load it).
  Status moveToCorrupt(std::string_view id, std::string_view reason);
  // Moves an entry's files to hold/ with a reason, durably (the directories are fsynced).
  Status moveToHold(std::string_view id, std::string_view reason);
  // Messages in hold/.
  size_t heldCount() const;
  // What hold/ keeps, by file name (oldest name first), with the reason each was held.
  std::vector<HeldEntry> held() const;

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path messagePath(std::string_view id) const;
  std::filesystem::path statePath(std::string_view id) const;

 private:
  static constexpr size_t kBuckets = 16;

  Spool() = default;
  void closeAll();
  size_t bucketOf(std::string_view id) const;
  // Loads and checks the state file of a decoded message; missing means initial state.
  Result<DeliveryState> loadState(const MessageMeta& meta) const;
  Status moveFileToCorrupt(const std::filesystem::path& file, std::string_view reason,
                           CorruptFile* record);
  Status moveFileAside(const std::filesystem::path& file, std::string_view area,
                       std::string_view reason, CorruptFile* record);
  struct BucketListing {
    std::vector<std::string> messages;  // queue ids with an ID.msg
    std::vector<std::string> states;    // queue ids with an ID.state
    std::vector<std::string> others;    // file names that are neither
  };
  BucketListing listBucket(size_t bucket, std::vector<std::string>& problems) const;
  Result<SpoolEntry> loadFromPath(const std::filesystem::path& path, std::string_view id) const;

  std::filesystem::path root_;
  SpoolAccess access_ = SpoolAccess::Shared;
  int lock_fd_ = -1;
  std::array<int, kBuckets> bucket_fds_{};
};

}  // namespace portcullis::spool
