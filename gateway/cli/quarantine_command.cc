#include "gateway/cli/quarantine_command.h"
#include "gateway/core/text.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <time.h>

#include <cmath>
#include <fstream>
#include <iostream>

#include "filters/classifier/classifier_config.h"
#include "filters/learning/message_learning.h"
#include "gateway/base/mail_date.h"
#include "gateway/cli/store_ownership.h"
#include "gateway/config/gateway_config.h"
#include "gateway/core/queue_id.h"
#include "gateway/metrics/learn_ledger.h"
#include "gateway/quarantine/quarantine.h"
#include "gateway/quarantine/quarantine_config.h"
#include "gateway/relay/queue_runner.h"

namespace portcullis::cli {

namespace {

namespace q = portcullis::quarantine;

std::string jsonNumber(double value) {
  return std::isfinite(value) ? fmt::format("{}", value) : "null";
}

// "2d", "36h" (that long ago) or a UTC time "2026-11-27", "2026-11-27T18:00[:00][Z]".
q::TimePoint parseSince(const std::string& text) {
  if (auto ago = config::parseDuration(text)) return q::Clock::now() - *ago;
  for (const char* format : {"%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"}) {
    std::tm tm{};
    const char* rest = ::strptime(text.c_str(), format, &tm);
    if (rest && (*rest == '\0' || std::string_view(rest) == "Z")) {
      return q::Clock::from_time_t(::timegm(&tm));
    }
  }
  throw std::runtime_error("--since \"" + text +
                           "\" is neither a duration (30m, 2d) nor a UTC time (2026-11-27T18:00Z)");
}

struct OpenedQuarantine {
  config::GatewayConfig gateway;
  q::QuarantineConfig settings;
  std::unique_ptr<q::Quarantine> quarantine;
};

OpenedQuarantine openQuarantine(const std::string& config_path) {
  OpenedQuarantine o{config::loadGatewayConfigFile(config_path), {}, nullptr};
  o.settings = q::loadQuarantineConfig(o.gateway.document);
  auto opened = q::Quarantine::open(o.settings.directory, spool::SpoolAccess::Shared);
  if (!opened) throw std::runtime_error("cannot open the quarantine: " + opened.error);
  o.quarantine = std::move(*opened);
  for (const auto& note : o.quarantine->openNotes()) std::cerr << "portcullis: " << note << "\n";
  return o;
}

void requireId(const std::string& id) {
  if (!isValidQueueId(id)) throw std::runtime_error("\"" + id + "\" is not a quarantine id");
}

std::string joined(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : std::string(separator)) + item;
  return out;
}

void printJson(const q::Entry& e) {
  std::vector<std::string> rcpts, symbols;
  for (const auto& r : e.recipients) rcpts.push_back(jsonQuoted(r));
  for (const auto& s : e.details.symbols) {
    symbols.push_back(fmt::format("{{\"name\":{},\"score\":{},\"detail\":{}}}", jsonQuoted(s.name),
                                  jsonNumber(s.score), jsonQuoted(s.detail)));
  }
  std::cout << fmt::format(
      "{{\"id\":\"{}\",\"arrival\":\"{}\",\"client\":{},\"sender\":{},\"recipients\":[{}],"
      "\"subject\":{},\"score\":{},\"symbols\":[{}],\"reason\":{},\"size\":{}}}\n",
      e.id, isoUtcTime(e.arrival), jsonQuoted(e.client), jsonQuoted(e.sender), joined(rcpts, ","),
      jsonQuoted(e.details.subject), jsonNumber(e.details.score), joined(symbols, ","),
      jsonQuoted(e.details.reason), e.size);
}

void printText(const q::Entry& e) {
  std::cout << fmt::format("{}  {}  {:>7.2f}  {:>8}  <{}> -> {}\n    {}\n", e.id,
                           isoUtcTime(e.arrival), e.details.score, e.size, e.sender,
                           joined(e.recipients, ", "), e.details.subject);
}

void printDetails(const q::ShownEntry& shown) {
  const auto& e = shown.entry;
  std::cout << fmt::format(
      "id:         {}\narrival:    {}\nclient:     {}\nsender:     <{}>\nrecipients: {}\n"
      "size:       {}\nscore:      {:.2f}\nreason:     {}\nsymbols:\n",
      e.id, isoUtcTime(e.arrival), e.client, e.sender, joined(e.recipients, ", "), e.size,
      e.details.score, e.details.reason);
  for (const auto& s : e.details.symbols) {
    std::cout << fmt::format("  {:>7.2f}  {}{}{}\n", s.score, s.name, s.detail.empty() ? "" : "  ",
                             s.detail);
  }
  std::cout << "\n" << shown.headers;
}

// A released message is learnt as ham when a classifier is configured: the quarantine held it
// back as spam, the administrator says it was not. Read before the release (which removes it).
struct ReleasedLearning {
  classifier::ClassifierConfig config;
  std::string message;
};

std::optional<ReleasedLearning> prepareLearning(const OpenedQuarantine& opened,
                                                const std::string& id) {
  auto config = classifier::configuredClassifier(opened.gateway.document);
  if (!config) return std::nullopt;
  auto message = opened.quarantine->message(id);
  if (!message) return std::nullopt;  // the release itself reports what is wrong with the entry
  return ReleasedLearning{*config, std::move(*message)};
}

// Learning is a courtesy of the release: when it fails the release still stands (status 0), and
// the reason is on stderr.
void learnReleased(const OpenedQuarantine& opened, const ReleasedLearning& learning,
                   const std::string& id) {
  auto classifier = classifier::openClassifier(learning.config, opened.gateway.queue.directory);
  if (!classifier) {
    std::cerr << "portcullis: " << id << ": not learnt as ham: " << classifier.error << "\n";
    return;
  }
  // The MIME parser's default limits: a quarantined message is within what the gateway took.
  auto outcome =
      learning::learnMessage(**classifier, learning.message, classifier::MessageClass::Ham);
  if (!outcome) {
    std::cerr << "portcullis: " << id << ": not learnt as ham: " << outcome.error << "\n";
    return;
  }
  const char* what = *outcome == classifier::LearnOutcome::AlreadyLearned ? "already learnt as ham"
                     : *outcome == classifier::LearnOutcome::Relearned    ? "relearnt as ham"
                                                                          : "learnt as ham";
  std::cout << id << ": " << what << "\n";
  const auto& queue = opened.gateway.queue.directory;
  if (*outcome != classifier::LearnOutcome::AlreadyLearned) {
    metrics::LearnCounts counts;
    counts.at(LearnedClass::Ham, LearnSource::Release) = 1;
    if (auto added = metrics::addToLearnLedger(queue / metrics::kLearnLedgerName, counts); !added)
      std::cerr << "portcullis: not counted in the gateway's metrics: " << added.error << "\n";
  }
  const auto db = classifier::databasePath(learning.config, queue);
  for (const auto& problem : handToQueueOwner(
           queue,
           {db, db.string() + "-wal", db.string() + "-shm", queue / metrics::kLearnLedgerName}))
    std::cerr << "portcullis: " << problem << "\n";
}

}  // namespace

void addQuarantineCommand(CLI::App& app, int& exit_status) {
  auto* cmd = app.add_subcommand("quarantine", "Inspect and manage quarantined messages");
  cmd->require_subcommand(1);
  // "-c CONFIG" may also follow the action (`quarantine list --json -c FILE`): the actions pass
  // options they do not know to this command.
  cmd->fallthrough();
  auto config = std::make_shared<std::string>(config::kDefaultConfigPath);
  cmd->add_option("-c,--config", *config, "Configuration file")->capture_default_str();

  struct ListOptions {
    bool json = false;
    std::string since, sender, rcpt;
    size_t limit = 0;
  };
  auto options = std::make_shared<ListOptions>();
  auto* list = cmd->add_subcommand("list", "List quarantined messages, newest first");
  list->add_flag("--json", options->json, "One JSON object per message");
  list->add_option("--since", options->since, "Arrived within DURATION (2d) or since a UTC time");
  list->add_option("--sender", options->sender, "Envelope sender");
  list->add_option("--rcpt", options->rcpt, "One of the envelope recipients");
  list->add_option("--limit", options->limit, "At most N messages (0: all)");
  list->callback([config, options, &exit_status] {
    q::Filter filter;
    if (!options->since.empty()) filter.since = parseSince(options->since);
    filter.sender = options->sender;
    filter.rcpt = options->rcpt;
    filter.limit = options->limit;
    auto opened = openQuarantine(*config);
    auto entries = opened.quarantine->list(filter);
    if (!entries) throw std::runtime_error(entries.error);
    for (const auto& e : *entries) {
      if (options->json)
        printJson(e);
      else
        printText(e);
    }
    if (!options->json) std::cout << entries->size() << " messages listed\n";
    exit_status = 0;
  });

  auto show_id = std::make_shared<std::string>();
  auto* show = cmd->add_subcommand("show", "Show a quarantined message's envelope, rules, headers");
  show->add_option("id", *show_id, "Quarantine id")->required();
  show->callback([config, show_id, &exit_status] {
    requireId(*show_id);
    auto opened = openQuarantine(*config);
    auto shown = opened.quarantine->show(*show_id);
    if (!shown) throw std::runtime_error(shown.error);
    printDetails(*shown);
    exit_status = 0;
  });

  auto release_id = std::make_shared<std::string>();
  auto no_learn = std::make_shared<bool>(false);
  auto* release = cmd->add_subcommand("release", "Deliver a quarantined message to its recipients");
  release->add_option("id", *release_id, "Quarantine id")->required();
  release->add_flag("--no-learn", *no_learn,
                    "Do not teach the classifier ([checks.classifier]) the message as ham");
  release->callback([config, release_id, no_learn, &exit_status] {
    requireId(*release_id);
    auto opened = openQuarantine(*config);
    std::optional<ReleasedLearning> learning;
    if (!*no_learn) learning = prepareLearning(opened, *release_id);
    auto queue = spool::Spool::open(opened.gateway.queue.directory, spool::SpoolAccess::Shared);
    if (!queue) throw std::runtime_error("cannot open the spool: " + queue.error);
    auto released = opened.quarantine->release(*release_id, *queue);
    if (!released) throw std::runtime_error(released.error);
    // The running gateway's queue runner rescans the spool when it finds this request.
    std::ofstream(queue->root() / relay::QueueRunner::kFlushRequestFile).put('\n');
    std::cout << *release_id << ": released, queued as " << *released << "\n";
    if (learning) learnReleased(opened, *learning, *release_id);
    exit_status = 0;
  });

  auto delete_id = std::make_shared<std::string>();
  auto* remove = cmd->add_subcommand("delete", "Delete a quarantined message");
  remove->add_option("id", *delete_id, "Quarantine id")->required();
  remove->callback([config, delete_id, &exit_status] {
    requireId(*delete_id);
    auto opened = openQuarantine(*config);
    if (auto removed = opened.quarantine->remove(*delete_id); !removed) {
      throw std::runtime_error(removed.error);
    }
    std::cout << *delete_id << ": deleted\n";
    exit_status = 0;
  });

  auto* expire = cmd->add_subcommand("expire", "Delete messages older than the retention now");
  expire->callback([config, &exit_status] {
    auto opened = openQuarantine(*config);
    auto report = opened.quarantine->expire(opened.settings.retention);
    for (const auto& error : report.errors) std::cerr << "portcullis: " << error << "\n";
    std::cout << report.removed.size() << " messages expired\n";
    exit_status = report.errors.empty() ? 0 : 1;
  });
}

}  // namespace portcullis::cli
