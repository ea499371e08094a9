// What the learning tests share: a [checks.classifier] table, the classifier's counts as
// `portcullis learn --stats` shows them for a gateway's configuration, a scrape of its /metrics,
// and a user's report (a message forwarding other messages as message/rfc822 attachments).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/gateway_process.h"

namespace portcullis::test {

inline constexpr const char* kSpamReport = "spam-report@example.org";
inline constexpr const char* kHamReport = "ham-report@example.org";

// "[checks.classifier]" with both report addresses and `report_networks`.
std::string classifierTable(const std::string& report_networks);

struct LearntCounts {
  long spam = -1;  // -1: --stats failed (its output is in `output`)
  long ham = -1;
  std::string output;
};
LearntCounts learntCounts(const GatewayProcess& gateway);

// The port of the gateway's /metrics (log line "metrics on http://127.0.0.1:PORT/metrics").
uint16_t metricsPort(const GatewayProcess& gateway);
// The value of `series` (exactly as exposed) in a scrape, or -1 when it is not there.
double metricValue(uint16_t port, const std::string& series);

// A report from alice@example.org forwarding `attached` as message/rfc822 parts.
std::string reportMessage(const std::string& subject, const std::vector<std::string>& attached);
// A forwarded message with a Subject, a unique Message-Id and `body` (CRLF line ends).
std::string forwardedMessage(const std::string& subject, const std::string& body);

}  // namespace portcullis::test
