// The settings of `[checks.classifier]` (ClassifierConfig), reading them, and opening the
// store and classifier it describes. Reading validates every value and throws
// config::ConfigError with file:line, so a bad option stops start-up (and `portcullis learn`)
// instead of silently changing what the classifier does. Opening never throws: a store that
// cannot be opened (a corrupt or foreign file, an unwritable directory) is an error value with
// the reason; Redis connects lazily, so a Redis that is down opens fine and each operation then
// fails as a value (the classifier is skipped, mail flows).
//
// Options (all optional):
//   backend = "sqlite" | "redis"            default "sqlite"
//   database = "/path/classifier.db"        sqlite: default <queue directory>/classifier.db;
//                                           relative paths are relative to the config file
//   redis = "127.0.0.1:6379"                host:port ("[::1]:6379" for IPv6)
//   redis_prefix = "portcullis:bayes:"      key prefix, so several stores can share a server
//   redis_timeout = "100ms"                 per command
//   max_tokens = 2000000                    expiry keeps the store at most this many tokens
//   min_spam_learned = 200, min_ham_learned = 200   below either, no probability
//   max_interesting_tokens = 150, max_tokens_per_message = 20000
//   autolearn = false
//   autolearn_spam_threshold = 12.0, autolearn_ham_threshold = 0.1
//   autolearn_min_header_points = 3.0, autolearn_min_body_points = 3.0
//   autolearn_queue = 1000                  messages waiting to be learnt; more are not learnt
//   report_addresses = { spam = "spam-report@example.org", ham = "ham-report@example.org" }
//   report_networks = ["192.0.2.0/24"]      who may report besides authenticated clients
//   max_reported_messages = 20              attached messages learnt from one report
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "filters/classifier/classifier.h"
#include "filters/classifier/token_store.h"

namespace portcullis::config {
class Document;
class Section;
}  // namespace portcullis::config

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

// Reads and validates the table (and rejects unknown keys).
ClassifierConfig readClassifierConfig(config::Section& section);

// The `[checks.classifier]` table of a configuration, or nullopt when there is none.
std::optional<ClassifierConfig> configuredClassifier(const config::Document& doc);

// Where the embedded store lives: `database`, or <spool_directory>/classifier.db.
std::filesystem::path databasePath(const ClassifierConfig& config,
                                   const std::filesystem::path& spool_directory);

// The store the configuration names.
Result<std::shared_ptr<TokenStore>> openStore(const ClassifierConfig& config,
                                              const std::filesystem::path& spool_directory);

// The classifier over the store the configuration names.
Result<std::shared_ptr<Classifier>> openClassifier(const ClassifierConfig& config,
                                                   const std::filesystem::path& spool_directory);

}  // namespace portcullis::classifier
