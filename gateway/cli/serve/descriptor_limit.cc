#include "gateway/cli/serve/descriptor_limit.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <sys/resource.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace portcullis::cli {

namespace {

// The process itself: stdio, the log file, the event loop (epoll, eventfd, timerfd), the signal
// pipe, the listeners, the metrics endpoint and a scrape, the resolver's sockets, the pid file, the
// listener's reserve descriptor for 421 answers, and the store files (quarantine, rule cache).
constexpr size_t kProcessDescriptors = 64;
// Per SMTP session: the client's socket and either the queue file being written (spool mode) or
// the connection to the internal MTA (proxy mode); one more for a recipient probe (verify =
// "probe").
constexpr size_t kSessionDescriptors = 2;
constexpr size_t kProbeDescriptors = 1;
// Per queue runner delivery (relay.concurrency): its connection and the queue file it reads.
constexpr size_t kDeliveryDescriptors = 2;
// Per pipeline worker: a file or socket a check holds while it runs (ClamAV's socket, a cache).
constexpr size_t kWorkerDescriptors = 2;
// The milter front end: one per MTA connection; Postfix opens at most one per smtpd process, and
// its default_process_limit is 100.
constexpr size_t kMilterDescriptors = 100;

// Descriptors of the delivery mode: the queue runner's deliveries, or proxy mode's idle pool.
size_t deliveryDescriptors(const config::RelayConfig& relay) {
  switch (relay.mode) {
    case config::RelayMode::Spool:
      return kDeliveryDescriptors * relay.concurrency;
    case config::RelayMode::Proxy:
      break;
  }
  return relay.proxy_idle_connections;
}

}  // namespace

DescriptorNeeds descriptorNeeds(const config::GatewayConfig& config, size_t workers) {
  DescriptorNeeds needs;
  needs.fixed = kProcessDescriptors + kWorkerDescriptors * workers;
  needs.fixed += deliveryDescriptors(config.relay);
  if (config.document.root().sub("milter")) needs.fixed += kMilterDescriptors;
  needs.per_session =
      kSessionDescriptors +
      (config.domains.verify == config::RecipientVerify::Probe ? kProbeDescriptors : 0);
  return needs;
}

void raiseDescriptorLimit(const config::GatewayConfig& config, size_t workers) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    spdlog::warn("cannot read the descriptor limit: {}", std::strerror(errno));
    return;
  }
  rlim_t target = limit.rlim_max;
  if (target == RLIM_INFINITY) {
    // Linux caps the soft limit at fs.nr_open.
    unsigned long nr_open = 1u << 20;
    if (FILE* f = std::fopen("/proc/sys/fs/nr_open", "r")) {
      if (std::fscanf(f, "%lu", &nr_open) != 1) nr_open = 1u << 20;
      std::fclose(f);
    }
    target = nr_open;
  }
  if (limit.rlim_cur < target) {
    rlimit raised{target, limit.rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      limit.rlim_cur = target;
    } else {
      spdlog::warn("cannot raise the descriptor limit from {} to {}: {}", limit.rlim_cur, target,
                   std::strerror(errno));
    }
  }
  DescriptorNeeds needs = descriptorNeeds(config, workers);
  size_t needed = needs.total(config.server.max_connections);
  if (limit.rlim_cur < needs.total(1)) {
    throw std::runtime_error(
        fmt::format("the descriptor limit ({}, hard limit {}) is too low to serve even one "
                    "connection (about {} "
                    "needed); raise it (ulimit -n, systemd LimitNOFILE=)",
                    limit.rlim_cur, limit.rlim_max, needs.total(1)));
  }
  if (limit.rlim_cur < needed) {
    size_t fit = (limit.rlim_cur - needs.fixed) / needs.per_session;
    spdlog::error(
        "DESCRIPTOR LIMIT TOO LOW: server.max_connections = {} needs about {} descriptors, the "
        "limit is {} (hard limit {}); about {} connections fit, more get 421 4.3.2 while "
        "descriptors are short. Raise the limit (ulimit -n, systemd LimitNOFILE=) or lower "
        "max_connections",
        config.server.max_connections, needed, limit.rlim_cur, limit.rlim_max, fit);
  } else {
    spdlog::info("descriptor limit {}: enough for max_connections = {} (about {} needed)",
                 limit.rlim_cur, config.server.max_connections, needed);
  }
}

}  // namespace portcullis::cli
