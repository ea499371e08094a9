#include "gateway/cli/learn_command.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>
#include <optional>

#include "filters/classifier/classifier_config.h"
#include "filters/learning/message_learning.h"
#include "gateway/base/mail_date.h"
#include "gateway/cli/mail_files.h"
#include "gateway/cli/runtime.h"
#include "gateway/cli/store_ownership.h"
#include "gateway/config/gateway_config.h"
#include "gateway/metrics/learn_ledger.h"

namespace portcullis::cli {

namespace {

namespace fs = std::filesystem;
using classifier::LearnOutcome;
using classifier::MessageClass;

// Failures listed one by one; beyond, only their number.
constexpr size_t kListedFailures = 20;

struct LearnOptions {
  std::string config = config::kDefaultConfigPath;
  std::vector<std::string> spam, ham, forget;
  bool stats = false;
  bool expire = false;
};

struct OpenedClassifier {
  config::GatewayConfig gateway;
  classifier::ClassifierConfig settings;
  std::shared_ptr<classifier::Classifier> classifier;
};

OpenedClassifier openConfigured(const std::string& path) {
  OpenedClassifier o{config::loadGatewayConfigFile(path), {}, nullptr};
  auto settings = classifier::configuredClassifier(o.gateway.document);
  if (!settings) throw std::runtime_error(path + ": no [checks.classifier] section");
  o.settings = *settings;
  auto opened = classifier::openClassifier(o.settings, o.gateway.queue.directory);
  if (!opened) throw std::runtime_error("cannot open the classifier store: " + opened.error);
  o.classifier = std::move(*opened);
  return o;
}

// Run as root, leaves the store and the ledger writable by the gateway (store_ownership.h).
void keepGatewayOwnership(const OpenedClassifier& o) {
  const fs::path& queue = o.gateway.queue.directory;
  std::vector<fs::path> files = {queue / metrics::kLearnLedgerName};
  if (o.settings.backend == classifier::Backend::Sqlite) {
    const fs::path db = classifier::databasePath(o.settings, queue);
    for (const char* suffix : {"", "-wal", "-shm"}) files.push_back(db.string() + suffix);
  }
  for (const auto& problem : handToQueueOwner(queue, files))
    std::cerr << "portcullis learn: " << problem << "\n";
}

// Redraws at most every kRedraw, only on a terminal.
class ProgressBar {
 public:
  static constexpr std::chrono::milliseconds kRedraw{100};
  static constexpr int kWidth = 30;

  explicit ProgressBar(std::size_t files) : files_(files), shown_(isatty(STDERR_FILENO) == 1) {}
  ~ProgressBar() { finish(); }

  // Clears the bar, so that the summary starts on a clean line.
  void finish() {
    if (drawn_) std::cerr << "\r\033[K" << std::flush;
    drawn_ = false;
    shown_ = false;
  }

  void update(std::size_t files_done, std::size_t messages) {
    if (!shown_) return;
    const auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_ < kRedraw && files_done < files_) return;
    last_ = now;
    drawn_ = true;
    const int filled = files_ == 0 ? kWidth : static_cast<int>(kWidth * files_done / files_);
    std::cerr << fmt::format("\r[{:#<{}}{:<{}}] {}/{} files, {} messages", "", filled, "",
                             kWidth - filled, files_done, files_, messages)
              << std::flush;
  }

 private:
  std::size_t files_;
  bool shown_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_;
};

struct Summary {
  std::size_t learnt = 0, already = 0, relearnt = 0, forgotten = 0, not_learnt = 0;
  std::vector<std::string> failures;
};

// Adds what was learnt to the queue directory's ledger, which the running gateway exports.
void countForMetrics(const OpenedClassifier& opened, LearnedClass cls, LearnSource source,
                     std::size_t learnt) {
  if (learnt == 0) return;
  metrics::LearnCounts counts;
  counts.at(cls, source) = learnt;
  const auto ledger = opened.gateway.queue.directory / metrics::kLearnLedgerName;
  if (auto added = metrics::addToLearnLedger(ledger, counts); !added) {
    std::cerr << "portcullis learn: not counted in the gateway's metrics: " << added.error << "\n";
  }
}

int learn(const LearnOptions& options, std::optional<MessageClass> cls,
          const std::vector<std::string>& paths) {
  OpenedClassifier opened = openConfigured(options.config);
  const mime::Limits limits = mimeLimits(opened.gateway.mime);
  Summary summary;
  const std::vector<fs::path> files = mailFiles(paths, summary.failures);
  ProgressBar progress(files.size());
  std::size_t messages = 0, files_done = 0;
  bool store_failed = false;  // the store failed: the rest is not tried
  for (const auto& file : files) {
    forEachMessage(file, opened.gateway.limits.max_message_size, [&](MailItem&& item) {
      if (store_failed) return;
      ++messages;
      if (!item.error.empty()) {
        summary.failures.push_back(item.where + ": " + item.error);
        return;
      }
      auto outcome = learning::learnMessage(*opened.classifier, item.raw, cls, limits);
      if (!outcome) {
        summary.failures.push_back(item.where + ": " + outcome.error);
        store_failed = true;
        return;
      }
      switch (*outcome) {
        case LearnOutcome::Learned:
          ++summary.learnt;
          break;
        case LearnOutcome::AlreadyLearned:
          ++summary.already;
          break;
        case LearnOutcome::Relearned:
          ++summary.relearnt;
          break;
        case LearnOutcome::Forgotten:
          ++summary.forgotten;
          break;
        case LearnOutcome::NotLearned:
          ++summary.not_learnt;
          break;
      }
    });
    if (store_failed) break;
    progress.update(++files_done, messages);
  }
  progress.finish();
  if (cls) {
    countForMetrics(opened, *cls == MessageClass::Spam ? LearnedClass::Spam : LearnedClass::Ham,
                    LearnSource::Cli, summary.learnt + summary.relearnt);
  }
  // The reasons first, so that the summary is the last line on a terminal.
  for (size_t i = 0; i < summary.failures.size() && i < kListedFailures; ++i)
    std::cerr << "portcullis learn: " << summary.failures[i] << "\n";
  if (summary.failures.size() > kListedFailures)
    std::cerr << "portcullis learn: ... and " << summary.failures.size() - kListedFailures
              << " more failures\n";
  if (store_failed) std::cerr << "portcullis learn: stopped: the classifier store failed\n";
  std::cerr.flush();
  if (cls) {
    std::cout << fmt::format("learnt as {}: {} learnt, {} already learnt, {} relearnt, {} failed\n",
                             *cls == MessageClass::Spam ? "spam" : "ham", summary.learnt,
                             summary.already, summary.relearnt, summary.failures.size());
  } else {
    std::cout << fmt::format("forgotten: {} forgotten, {} not learnt, {} failed\n",
                             summary.forgotten, summary.not_learnt, summary.failures.size());
  }
  std::cout.flush();
  keepGatewayOwnership(opened);
  return summary.failures.empty() ? 0 : 1;
}

std::string humanBytes(std::uint64_t bytes) {
  if (bytes == 0) return "unknown";
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} bytes", bytes) : fmt::format("{:.1f} {}", value, units[unit]);
}

int stats(const LearnOptions& options) {
  OpenedClassifier opened = openConfigured(options.config);
  auto totals = opened.classifier->store().totals();
  if (!totals) throw std::runtime_error("the classifier store failed: " + totals.error);
  const classifier::ClassifierSettings& s = opened.settings.classify;
  const std::string where =
      opened.settings.backend == classifier::Backend::Redis
          ? fmt::format("{}:{} prefix {}", opened.settings.redis_host, opened.settings.redis_port,
                        opened.settings.redis_prefix)
          : classifier::databasePath(opened.settings, opened.gateway.queue.directory).string();
  const std::string expiry = totals->last_expiry == 0
                                 ? std::string("never")
                                 : isoUtcTime(std::chrono::system_clock::time_point(
                                       std::chrono::seconds(totals->last_expiry)));
  const bool speaks =
      totals->spam_messages >= s.min_spam_learned && totals->ham_messages >= s.min_ham_learned;
  std::cout << fmt::format(
      "backend:      {} ({})\ntokens:       {} (max_tokens {})\nspam learnt:  {}\n"
      "ham learnt:   {}\nlast expiry:  {}\nstore size:   {}\nclassifying:  {} (needs {} spam "
      "and {} ham)\n",
      opened.classifier->store().backend(), where, totals->tokens, opened.settings.max_tokens,
      totals->spam_messages, totals->ham_messages, expiry, humanBytes(totals->bytes),
      speaks ? "yes" : "not yet", s.min_spam_learned, s.min_ham_learned);
  keepGatewayOwnership(opened);
  return 0;
}

int expire(const LearnOptions& options) {
  OpenedClassifier opened = openConfigured(options.config);
  classifier::TokenStore& store = opened.classifier->store();
  auto before = store.totals();
  if (!before) throw std::runtime_error("the classifier store failed: " + before.error);
  if (auto status = store.expire(opened.settings.max_tokens); !status)
    throw std::runtime_error("expiry failed: " + status.error);
  auto after = store.totals();
  if (!after) throw std::runtime_error("the classifier store failed: " + after.error);
  std::cout << fmt::format("expired: {} tokens before, {} after (max_tokens {})\n", before->tokens,
                           after->tokens, opened.settings.max_tokens);
  keepGatewayOwnership(opened);
  return 0;
}

int runLearn(const LearnOptions& options) {
  // Store and configuration warnings go to stderr; stdout carries only the summary.
  auto logger = spdlog::stderr_logger_mt("portcullis-learn");
  logger->set_level(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  const int modes = !options.spam.empty() + !options.ham.empty() + !options.forget.empty() +
                    options.stats + options.expire;
  if (modes != 1)
    throw std::runtime_error("give exactly one of --spam, --ham, --forget, --stats, --expire");
  if (options.stats) return stats(options);
  if (options.expire) return expire(options);
  if (!options.spam.empty()) return learn(options, MessageClass::Spam, options.spam);
  if (!options.ham.empty()) return learn(options, MessageClass::Ham, options.ham);
  return learn(options, std::nullopt, options.forget);
}

}  // namespace

void addLearnCommand(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<LearnOptions>();
  CLI::App* cmd = app.add_subcommand("learn", "Teach the classifier, or show or trim its store");
  cmd->add_option("-c,--config", options->config, "Configuration file")->capture_default_str();
  cmd->add_option("--spam", options->spam, "Learn these files, directories, mbox files as spam");
  cmd->add_option("--ham", options->ham, "Learn these as ham");
  cmd->add_option("--forget", options->forget, "Forget these learnt messages");
  cmd->add_flag("--stats", options->stats, "Show the store's tokens, messages and size");
  cmd->add_flag("--expire", options->expire, "Drop the oldest tokens down to max_tokens");
  cmd->callback([options, &exit_status] { exit_status = runLearn(*options); });
}

}  // namespace portcullis::cli
