#include "gateway/spool/journal_directory.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <set>
#include <system_error>

#include "gateway/core/queue_id.h"
#include "gateway/spool/durable_file.h"
#include "gateway/spool/journal_format.h"
#include "gateway/spool/queue_file.h"

namespace portcullis::spool {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSegmentSuffix = ".jnl";
constexpr std::string_view kForgetSuffix = ".forget";
constexpr size_t kSequenceDigits = 16;

bool parseSequence(std::string_view name, uint64_t& sequence) {
  if (name.size() != kSequenceDigits + kSegmentSuffix.size() || !name.ends_with(kSegmentSuffix)) {
    return false;
  }
  sequence = 0;
  for (char c : name.substr(0, kSequenceDigits)) {
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) return false;
    sequence = sequence * 16 + static_cast<uint64_t>(digit);
  }
  return true;
}

}  // namespace

std::string journalSegmentName(uint64_t sequence) {
  char name[kSequenceDigits + 1];
  std::snprintf(name, sizeof name, "%016" PRIx64, sequence);
  return std::string(name) + std::string(kSegmentSuffix);
}

std::string journalForgetMarkerName(std::string_view id) {
  return std::string(id) + std::string(kForgetSuffix);
}

JournalListing listJournal(const fs::path& journal_directory) {
  JournalListing listing;
  std::vector<std::pair<uint64_t, fs::path>> segments;
  std::error_code ec;
  if (!fs::exists(journal_directory, ec)) return listing;
  for (fs::directory_iterator it(journal_directory, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    uint64_t sequence = 0;
    if (parseSequence(name, sequence)) {
      segments.emplace_back(sequence, it->path());
    } else if (name.ends_with(kForgetSuffix) && isValidQueueId(std::string_view(name).substr(
                                                    0, name.size() - kForgetSuffix.size()))) {
      listing.forget_markers.push_back(it->path());
    } else {
      listing.problems.push_back("unexpected file " + it->path().string() + " left alone");
    }
  }
  if (ec)
    listing.problems.push_back("cannot list " + journal_directory.string() + ": " + ec.message());
  std::sort(segments.begin(), segments.end());
  for (auto& [sequence, path] : segments) listing.segments.push_back(std::move(path));
  if (!segments.empty()) listing.last_sequence = segments.back().first;
  std::sort(listing.forget_markers.begin(), listing.forget_markers.end());
  return listing;
}

JournalReplay readJournal(const JournalListing& listing) {
  JournalReplay replay;
  std::set<std::string> forgotten;
  for (const auto& marker : listing.forget_markers) {
    std::string name = marker.filename().string();
    forgotten.insert(name.substr(0, name.size() - kForgetSuffix.size()));
  }
  for (const auto& segment : listing.segments) {
    auto bytes = readWholeFile(segment.string());
    if (!bytes) {
      replay.problems.push_back(bytes.error);
      continue;
    }
    ParsedJournal parsed = parseJournal(*bytes);
    if (parsed.valid_length < bytes->size()) {
      replay.problems.push_back(segment.filename().string() + ": " +
                                std::to_string(bytes->size() - parsed.valid_length) +
                                " bytes after the last complete record ignored");
    }
    for (const auto& record : parsed.records) {
      if (record.type == JournalRecordType::Forget) {
        std::string id(record.payload);
        replay.live.erase(id);
        forgotten.insert(std::move(id));
        continue;
      }
      auto file = decodeQueueFile(record.payload);
      if (!file || !isValidQueueId(file->meta.id)) {
        replay.problems.push_back(segment.filename().string() +
                                  ": a stored record does not decode" +
                                  (file ? std::string() : ": " + file.error));
        continue;
      }
      if (forgotten.count(file->meta.id) == 0) {
        replay.live[file->meta.id] = std::string(record.payload);
      }
    }
  }
  return replay;
}

}  // namespace portcullis::spool
