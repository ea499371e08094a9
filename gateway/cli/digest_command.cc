#include "gateway/cli/digest_command.h"

#include <fstream>
#include <iostream>

#include "gateway/cli/store_ownership.h"
#include "gateway/digest/digest_run.h"
#include "gateway/digest/digest_state.h"
#include "gateway/relay/queue_runner.h"

namespace portcullis::cli {

namespace {

struct DigestOptions {
  bool now = false;
  bool dry_run = false;
  std::string config;
};

int runDigestCommand(const DigestOptions& options) {
  auto gateway = config::loadGatewayConfigFile(options.config);
  auto settings = digest::loadDigestSettings(gateway);
  if (!settings) throw std::runtime_error("[quarantine.digest] is not configured or not enabled");
  auto opened = quarantine::Quarantine::open(settings->quarantine_dir, spool::SpoolAccess::Shared);
  if (!opened) throw std::runtime_error("cannot open the quarantine: " + opened.error);
  auto now = quarantine::Clock::now();
  if (options.dry_run) {
    auto key = web::loadOrCreateLinkKey(settings->web.link_key_file);
    if (!key) throw std::runtime_error("link key: " + key.error);
    auto plan = digest::planDigests(*settings, **opened, web::RecipientLinks(*key), now);
    if (!plan) throw std::runtime_error(plan.error);
    for (const auto& d : plan->digests) {
      std::cout << "=== digest to " << d.recipient << " (" << d.listed << " of " << d.total
                << " listed)\n"
                << d.message << "\n";
    }
    std::cout << plan->digests.size() << " digests would be sent\n";
    return 0;
  }
  auto queue = spool::Spool::open(gateway.queue.directory, spool::SpoolAccess::Shared);
  if (!queue) throw std::runtime_error("cannot open the spool: " + queue.error);
  auto report = digest::runDigests(*settings, **opened, *queue, now);
  if (!report) throw std::runtime_error(report.error);
  if (!report->queued.empty()) {
    // The running gateway's queue runner rescans the spool when it finds this request.
    std::ofstream(queue->root() / relay::QueueRunner::kFlushRequestFile).put('\n');
  }
  for (const auto& problem :
       handToQueueOwner(gateway.queue.directory, {settings->quarantine_dir / digest::kStateFileName,
                                                  settings->quarantine_dir / digest::kLockFileName,
                                                  settings->web.link_key_file}))
    std::cerr << "portcullis: " << problem << "\n";
  for (const auto& e : report->errors) std::cerr << "portcullis: " << e << "\n";
  std::cout << report->queued.size() << " digests queued\n";
  return report->errors.empty() ? 0 : 1;
}

}  // namespace

void addQuarantineDigestCommand(CLI::App& quarantine, int& exit_status) {
  auto options = std::make_shared<DigestOptions>();
  auto* cmd = quarantine.add_subcommand(
      "digest", "Send the recipients' quarantine digests now, or print them (--dry-run)");
  auto* now = cmd->add_flag("--now", options->now, "Queue the digests now");
  auto* dry = cmd->add_flag("--dry-run", options->dry_run, "Print the digests, send nothing");
  now->excludes(dry);
  cmd->callback([&quarantine, options, &exit_status] {
    if (!options->now && !options->dry_run) {
      throw std::runtime_error("quarantine digest: give --now or --dry-run");
    }
    options->config = quarantine.get_option("--config")->as<std::string>();
    exit_status = runDigestCommand(*options);
  });
}

}  // namespace portcullis::cli
