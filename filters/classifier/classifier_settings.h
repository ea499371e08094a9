// Configuration of the classifier, read from `[checks.classifier]`: which store (the embedded
// one in the queue directory, or Redis shared by several gateways), its limits, when the
// classifier speaks, when it learns by itself (autolearn), and the local addresses users forward
// mistakes to. Reading validates every value (config::ConfigError with file:line); opening builds
// the classifier the content engine's check_bayes rules, `portcullis learn` and the quarantine
// share.
//
// Example:
//   [checks.classifier]
//   backend = "sqlite"                 # or "redis"
//   redis = "127.0.0.1:6379"           # backend = "redis" only
//   max_tokens = 2000000               # expiry keeps the store at most this many tokens
//   autolearn = false                  # turn on once the site has trained enough
//   report_addresses = { spam = "spam-report@example.org", ham = "ham-report@example.org" }
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "filters/classifier/classifier.h"

namespace portcullis::config {
class Section;
}

namespace portcullis::classifier {

enum class Backend { Sqlite, Redis };

struct AutolearnSettings {
  bool enabled = false;
  double spam_threshold = 12.0;  // SpamAssassin's bayes_auto_learn_threshold_spam
  double ham_threshold = 0.1;    // bayes_auto_learn_threshold_nonspam
  double min_header_points = 3;  // a spam verdict also needs this much from header rules
  double min_body_points = 3;    // and this much from body rules
  std::size_t queue = 1000;      // messages waiting for the background learner; more are dropped
};

struct ClassifierConfig {
  Backend backend = Backend::Sqlite;
  std::filesystem::path database;  // sqlite: empty means <spool directory>/classifier.db
  std::string redis_host = "127.0.0.1";
  std::uint16_t redis_port = 6379;
  std::string redis_prefix = "portcullis:bayes:";  // key prefix, so stores can share a server
  std::chrono::milliseconds redis_timeout{100};    // per command; beyond it, no probability
  std::uint64_t max_tokens = 2'000'000;
  ClassifierSettings classify;
  AutolearnSettings autolearn;
  std::string spam_report_address;  // empty: no report address
  std::string ham_report_address;
  // Who may report: clients in these networks, and authenticated clients. Anyone else's report
  // is refused, so that strangers cannot teach the classifier (poison it).
  std::vector<std::string> report_networks;
  std::size_t max_reported_messages = 20;  // attached messages learnt from one report
};

}  // namespace portcullis::classifier
