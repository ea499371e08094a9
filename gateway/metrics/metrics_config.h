// The `[metrics]` table of the configuration: whether the HTTP endpoint (/metrics, /healthz,
// /readyz) runs and where it listens. Reading validates every value (file:line on error) and
// rejects unknown keys.
#pragma once

#include <cstddef>
#include <string>

#include "gateway/config/document.h"
#include "gateway/config/section.h"

namespace portcullis::metrics {

struct MetricsConfig {
  bool enabled = true;
  // An IP literal and a port: "127.0.0.1:9125", "[::1]:9125" (IPv6 only where the HTTP library
  // supports it: Debian's civetweb does not); port 0 picks a free one (tests).
  std::string listen = "127.0.0.1:9125";
  size_t threads = 2;  // HTTP worker threads: scrapes and health probes are tiny
};

// Reads one `[metrics]` table and calls finish() on it.
MetricsConfig readMetricsConfig(config::Section& section);
// Reads the document's `[metrics]` table; defaults when there is none.
MetricsConfig readMetricsConfig(const config::Document& document);
// Whether `listen` is "IPv4:port" or "[IPv6]:port" with a port in 0..65535.
bool validListenAddress(const std::string& listen);
// Whether the HTTP library (civetweb) was built with IPv6 support.
bool httpSupportsIpv6();

}  // namespace portcullis::metrics
