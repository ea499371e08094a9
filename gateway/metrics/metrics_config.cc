#include "gateway/metrics/metrics_config.h"

#include <arpa/inet.h>
#include <civetweb.h>

#include <charconv>

namespace portcullis::metrics {

namespace {

bool validPort(std::string_view text) {
  unsigned port = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  return !text.empty() && error == std::errc() && end == text.data() + text.size() && port <= 65535;
}

}  // namespace

bool validListenAddress(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || !validPort(std::string_view(listen).substr(colon + 1))) {
    return false;
  }
  std::string host = listen.substr(0, colon);
  in6_addr address;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    return inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &address) == 1;
  }
  return inet_pton(AF_INET, host.c_str(), &address) == 1;
}

bool httpSupportsIpv6() {
  constexpr unsigned kIpv6Feature = 8;  // civetweb.h, mg_check_feature()
  return mg_check_feature(kIpv6Feature) != 0;
}

MetricsConfig readMetricsConfig(config::Section& section) {
  MetricsConfig config;
  config.enabled = section.getBool("enabled", config.enabled);
  config.listen = section.getString("listen", config.listen);
  if (!validListenAddress(config.listen)) {
    section.fail("listen", "\"" + config.listen +
                               "\" is not an address and port such as \"127.0.0.1:9125\" or "
                               "\"[::1]:9125\"");
  }
  if (config.listen.front() == '[' && !httpSupportsIpv6()) {
    section.fail("listen",
                 "this build's HTTP library (civetweb) has no IPv6 support: use an IPv4 "
                 "address such as \"127.0.0.1:9125\"");
  }
  config.threads = static_cast<size_t>(section.getInt("threads", 2, 1, 64));
  section.finish();
  return config;
}

MetricsConfig readMetricsConfig(const config::Document& document) {
  std::optional<config::Section> section = document.root().sub("metrics");
  return section ? readMetricsConfig(*section) : MetricsConfig{};
}

}  // namespace portcullis::metrics
