// The `[dns]` section: which servers the resolver asks, how long it waits and retries, how many
// queries it keeps in flight and how long answers stay cached. Every value has a safe default, so
// an absent section means "the servers of /etc/resolv.conf with sensible limits".
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "gateway/config/section.h"

namespace portcullis::dns {

struct DnsConfig {
  // "192.0.2.53", "192.0.2.53:5353", "[2001:db8::53]:53"; empty: the nameservers of
  // /etc/resolv.conf.
  std::vector<std::string> servers;
  std::chrono::milliseconds timeout{2'000};  // per attempt (c-ares doubles it on each retry round)
  int attempts = 2;                          // tries per server before giving up
  size_t max_in_flight = 512;                // queries sent and unanswered; more wait their turn
  size_t cache_entries = 100'000;            // 0 disables the cache
  std::chrono::seconds min_ttl{30};          // answers are cached at least this long...
  std::chrono::seconds max_ttl{86'400};      // ...and at most this long
  std::chrono::seconds negative_ttl{300};    // cap (and default) for NXDOMAIN / no-data answers
  // Timeouts and server failures are logged as one warning per kind per interval, with a count.
  std::chrono::milliseconds failure_log_interval{10'000};
};

// Reads `[dns]` (validating every value, file:line on error) and calls finish() on it.
DnsConfig readDnsConfig(config::Section& section);

}  // namespace portcullis::dns
