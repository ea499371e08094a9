// The commit journal's directory, journal/ under the spool root (see spool.h): segment files
// "<16 hex digits>.jnl" numbered in the order they were written, and forget markers "<id>.forget"
// that `portcullis queue delete` leaves when it removes an entry the running server may still
// have only in the journal. Listing and reading only; writing is the group committer's job.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace portcullis::spool {

inline constexpr std::string_view kJournalDirectory = "journal";

std::string journalSegmentName(uint64_t sequence);
// The marker that cancels the journal's Store record of `id`.
std::string journalForgetMarkerName(std::string_view id);

struct JournalListing {
  std::vector<std::filesystem::path> segments;  // oldest first
  uint64_t last_sequence = 0;                   // of the newest segment; 0 when there is none
  std::vector<std::filesystem::path> forget_markers;
  std::vector<std::string> problems;
};

JournalListing listJournal(const std::filesystem::path& journal_directory);

struct JournalReplay {
  // Every entry stored through the journal and never forgotten: queue id -> queue file bytes.
  std::map<std::string, std::string> live;
  std::vector<std::string> problems;  // unreadable segments, torn tails (reported, not fatal)
};

// Reads every segment oldest first; a Forget (record or marker) cancels the Store of its id.
JournalReplay readJournal(const JournalListing& listing);

}  // namespace portcullis::spool
