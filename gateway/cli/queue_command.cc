#include "gateway/cli/queue_command.h"
#include "gateway/core/text.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "gateway/base/mail_date.h"
#include "gateway/config/gateway_config.h"
#include "gateway/core/queue_id.h"
#include "gateway/relay/queue_runner.h"
#include "gateway/spool/spool.h"

namespace portcullis::cli {

namespace {

spool::Spool openSpool(const std::string& config_path) {
  auto config = config::loadGatewayConfigFile(config_path);
  auto opened = spool::Spool::open(config.queue.directory, spool::SpoolAccess::Shared);
  if (!opened) throw std::runtime_error("cannot open the spool: " + opened.error);
  return std::move(*opened);
}

void printEntryJson(const spool::EntryInfo& e) {
  std::string rcpts;
  for (size_t i = 0; i < e.meta.envelope.recipients.size(); ++i) {
    const auto& state = e.state.recipients[i];
    rcpts += fmt::format("{}{{\"address\":{},\"status\":\"{}\",\"reply\":{}}}", i ? "," : "",
                         jsonQuoted(e.meta.envelope.recipients[i].address),
                         spool::recipientStatusName(state.status), jsonQuoted(state.reply));
  }
  std::cout << fmt::format(
      "{{\"id\":\"{}\",\"arrival\":\"{}\",\"size\":{},\"sender\":{},\"attempts\":{},"
      "\"next_attempt\":\"{}\",\"recipients\":[{}]}}\n",
      e.meta.id, isoUtcTime(e.meta.arrival), e.message_size, jsonQuoted(e.meta.envelope.mail_from),
      e.state.attempts, isoUtcTime(e.state.next_attempt), rcpts);
}

void printEntryText(const spool::EntryInfo& e) {
  std::cout << fmt::format("{}  {}  {:>8}  <{}>  attempts={}\n", e.meta.id,
                           isoUtcTime(e.meta.arrival), e.message_size, e.meta.envelope.mail_from,
                           e.state.attempts);
  for (size_t i = 0; i < e.meta.envelope.recipients.size(); ++i) {
    const auto& state = e.state.recipients[i];
    std::cout << fmt::format("    <{}> {}{}\n", e.meta.envelope.recipients[i].address,
                             spool::recipientStatusName(state.status),
                             state.reply.empty() ? "" : " (" + state.reply + ")");
  }
}

}  // namespace

void addQueueCommand(CLI::App& app, int& exit_status) {
  auto* queue = app.add_subcommand("queue", "Inspect and manage the mail queue");
  queue->require_subcommand(1);
  // "-c CONFIG" may also follow the action (`queue list --json -c FILE`): the actions pass
  // options they do not know to this command.
  queue->fallthrough();
  auto config = std::make_shared<std::string>(config::kDefaultConfigPath);
  queue->add_option("-c,--config", *config, "Configuration file")->capture_default_str();

  auto* list = queue->add_subcommand("list", "List queued messages, oldest first");
  auto json = std::make_shared<bool>(false);
  list->add_flag("--json", *json, "One JSON object per message");
  list->callback([config, json, &exit_status] {
    auto spool = openSpool(*config);
    auto listing = spool.list();
    for (const auto& e : listing.entries) {
      if (*json)
        printEntryJson(e);
      else
        printEntryText(e);
    }
    for (const auto& p : listing.problems) std::cerr << "portcullis: " << p << "\n";
    if (!*json) std::cout << listing.entries.size() << " messages queued\n";
    exit_status = listing.problems.empty() ? 0 : 1;
  });

  auto* held = queue->add_subcommand(
      "held", "List messages held aside: neither deliverable nor returnable (never deleted)");
  held->callback([config, &exit_status] {
    auto spool = openSpool(*config);
    const auto entries = spool.held();
    for (const auto& e : entries) {
      std::cout << e.file << "  " << e.size << " bytes  " << e.reason << "\n";
    }
    std::cout << entries.size() << " messages held in " << (spool.root() / "hold").string() << "\n";
    exit_status = 0;
  });

  auto id = std::make_shared<std::string>();
  auto* show = queue->add_subcommand("show", "Show one queued message with its envelope");
  show->add_option("id", *id, "Queue id")->required();
  show->callback([config, id, &exit_status] {
    if (!isValidQueueId(*id)) throw std::runtime_error("\"" + *id + "\" is not a queue id");
    auto spool = openSpool(*config);
    auto entry = spool.load(*id);
    if (!entry) throw std::runtime_error(*id + ": " + entry.error);
    spool::EntryInfo info{entry->file.meta, entry->file.message.size(), entry->state};
    printEntryText(info);
    std::cout << "\n" << entry->file.message;
    exit_status = 0;
  });

  auto* flush = queue->add_subcommand("flush", "Retry every queued message now");
  flush->callback([config, &exit_status] {
    auto spool = openSpool(*config);
    std::ofstream(spool.root() / relay::QueueRunner::kFlushRequestFile).put('\n');
    std::cout << "flush requested; the running gateway retries every message within a second\n";
    exit_status = 0;
  });

  auto delete_id = std::make_shared<std::string>();
  auto* remove = queue->add_subcommand("delete", "Delete a queued message (no bounce is sent)");
  remove->add_option("id", *delete_id, "Queue id")->required();
  remove->callback([config, delete_id, &exit_status] {
    if (!isValidQueueId(*delete_id)) {
      throw std::runtime_error("\"" + *delete_id + "\" is not a queue id");
    }
    auto spool = openSpool(*config);
    auto info = spool.info(*delete_id);
    if (!info) throw std::runtime_error(*delete_id + ": " + info.error);
    auto removed = spool.remove(*delete_id);
    if (!removed) throw std::runtime_error(*delete_id + ": " + removed.error);
    std::cout << *delete_id << ": deleted\n";
    exit_status = 0;
  });
}

}  // namespace portcullis::cli
