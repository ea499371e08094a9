// What the command-line tools taught the classifier, for the gateway's metrics: `portcullis learn`
// and `portcullis quarantine release` run in processes of their own, so they add their counts to
// a small file in the queue directory (classifier-learnt), and the running gateway reads it at
// every scrape into portcullis_classifier_learned_total{source="cli"|"release"}. Counts learnt
// before the gateway started are its baseline, not an increase. The file holds one line per
// class and source ("cli spam 500"); writers take an exclusive flock(), so concurrent tools add
// up. A damaged file reads as zero counts (a lost increase, never a crash or a negative one).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>

#include "gateway/base/result.h"
#include "gateway/core/filter_events.h"

namespace portcullis::metrics {

class ClassifierMetrics;

inline constexpr const char* kLearnLedgerName = "classifier-learnt";

struct LearnCounts {
  // counts[class][source], LearnedClass and LearnSource as indices.
  std::array<std::array<std::uint64_t, 4>, 2> counts{};
  std::uint64_t& at(LearnedClass cls, LearnSource source) {
    return counts[static_cast<size_t>(cls)][static_cast<size_t>(source)];
  }
};

// Adds `learnt` to the file (created when missing).
Status addToLearnLedger(const std::filesystem::path& file, const LearnCounts& learnt);

// The file's counts; zero when it is missing or unreadable.
LearnCounts readLearnLedger(const std::filesystem::path& file);

// Turns the ledger's growth into increments of the learned counters.
class LearnLedgerWatcher {
 public:
  LearnLedgerWatcher(std::filesystem::path file, ClassifierMetrics& metrics);
  // Reads the file and adds what it gained since the last read (thread-safe).
  void refresh();

 private:
  std::filesystem::path file_;
  ClassifierMetrics& metrics_;
  std::mutex mutex_;
  LearnCounts seen_;
};

}  // namespace portcullis::metrics
