#include "gateway/dns/dns_config.h"

#include <algorithm>
#include <cctype>

namespace portcullis::dns {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

bool looksLikeServer(const std::string& server) {
  if (server.empty()) return false;
  return std::all_of(server.begin(), server.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':' || c == '[' ||
           c == ']';
  });
}

seconds getSeconds(config::Section& section, const std::string& key, seconds fallback, seconds min,
                   seconds max) {
  return duration_cast<seconds>(section.getDuration(key, fallback, min, max));
}

}  // namespace

DnsConfig readDnsConfig(config::Section& section) {
  DnsConfig c;
  c.servers = section.getStrings("servers", {});
  for (const auto& server : c.servers) {
    if (!looksLikeServer(server))
      section.fail("servers", "\"" + server + "\" is not an address or address:port");
  }
  c.timeout = section.getDuration("timeout", c.timeout, milliseconds(50), seconds(60));
  c.attempts = static_cast<int>(section.getInt("attempts", c.attempts, 1, 10));
  c.max_in_flight =
      static_cast<size_t>(section.getInt("max_in_flight", c.max_in_flight, 1, 100'000));
  c.cache_entries =
      static_cast<size_t>(section.getInt("cache_entries", c.cache_entries, 0, 10'000'000));
  c.min_ttl = getSeconds(section, "min_ttl", c.min_ttl, seconds(0), seconds(86'400));
  c.max_ttl = getSeconds(section, "max_ttl", c.max_ttl, seconds(0), seconds(7 * 86'400));
  c.negative_ttl = getSeconds(section, "negative_ttl", c.negative_ttl, seconds(0), seconds(86'400));
  c.failure_log_interval = section.getDuration("failure_log_interval", c.failure_log_interval,
                                               milliseconds(100), std::chrono::hours(1));
  if (c.min_ttl > c.max_ttl) section.fail("min_ttl", "min_ttl is larger than max_ttl");
  section.finish();
  return c;
}

}  // namespace portcullis::dns
