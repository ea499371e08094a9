// The metrics tests' gateway: a real `portcullis serve` with its HTTP endpoint on an ephemeral
// loopback port (learnt from the log line "metrics on http://127.0.0.1:PORT/metrics"), relaying to
// a recording internal MTA; both live in a temporary directory and stop with the object. Plus what
// the tests do with it: send mail with swaks, GET a path, scrape, and read one sample's value.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/gateway_process.h"
#include "tests/support/recording_mta.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/metrics/http_get.h"

namespace portcullis::test {

inline constexpr std::chrono::seconds kMetricsPatience{30};

// "[checks.clamav]" with the project's signatures/ and "[checks.content]" with its rules/, in that
// order (so a reload loads the signatures before it reaches the rules).
std::string projectChecks();

// A message body with the GTUBE string: the content rule GTUBE (score 1000) matches it.
std::string gtubeBody();

struct MetricsGateway {
  // `settings.metrics` is replaced by a listen address on 127.0.0.1 port 0; the gateway relays
  // to `recorder` unless `settings.relay_port` names another internal MTA.
  explicit MetricsGateway(GatewaySettings settings);

  // swaks to the gateway from alice@sender.test to bob@example.org, with `args` appended.
  CommandResult send(const std::vector<std::string>& args = {}) const;
  testing::HttpResponse get(const std::string& path) const;
  // The body of /metrics; empty when the endpoint did not answer 200.
  std::string scrape() const;
  // The value of `series` in a fresh scrape (see sampleValue()).
  std::optional<double> value(const std::string& series) const;
  // Scrapes until `series` satisfies `accept` or kMetricsPatience passed; the last value seen.
  template <typename Predicate>
  std::optional<double> awaitValue(const std::string& series, Predicate accept) const;

  TempDir dir;
  RecordingMta recorder;
  GatewayProcess gateway;
  uint16_t metrics_port = 0;
};

// The value of the sample `series` (the metric name with its labels exactly as exposed, labels in
// name order, e.g. `portcullis_messages_total{action="reject"}`) in a text exposition; nullopt when
// it is not there.
std::optional<double> sampleValue(const std::string& exposition, const std::string& series);

template <typename Predicate>
std::optional<double> MetricsGateway::awaitValue(const std::string& series,
                                                 Predicate accept) const {
  auto deadline = std::chrono::steady_clock::now() + kMetricsPatience;
  std::optional<double> last = value(series);
  while (!(last && accept(*last)) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    last = value(series);
  }
  return last;
}

}  // namespace portcullis::test
