#include "tests/integration/learning/learning_gateway.h"

#include <unistd.h>

#include <atomic>
#include <regex>
#include <sstream>

#include "tests/support/run_command.h"
#include "tests/unit/metrics/http_get.h"

namespace portcullis::test {

std::string classifierTable(const std::string& report_networks) {
  return std::string("\n[checks.classifier]\nreport_addresses = { spam = \"") + kSpamReport +
         "\", ham = \"" + kHamReport + "\" }\nreport_networks = " + report_networks + "\n";
}

LearntCounts learntCounts(const GatewayProcess& gateway) {
  LearntCounts counts;
  auto r = runCommand(
      {portcullisBinary().string(), "learn", "-c", gateway.configPath().string(), "--stats"});
  counts.output = r.output;
  if (r.exit_code != 0) return counts;
  std::smatch m;
  if (std::regex_search(r.output, m, std::regex(R"(spam learnt: +([0-9]+))")))
    counts.spam = std::stol(m[1].str());
  if (std::regex_search(r.output, m, std::regex(R"(ham learnt: +([0-9]+))")))
    counts.ham = std::stol(m[1].str());
  return counts;
}

uint16_t metricsPort(const GatewayProcess& gateway) {
  std::smatch m;
  const std::string log = gateway.log();
  if (!std::regex_search(log, m, std::regex(R"(metrics on http://127\.0\.0\.1:([0-9]+)/metrics)")))
    return 0;
  return static_cast<uint16_t>(std::stoi(m[1].str()));
}

double metricValue(uint16_t port, const std::string& series) {
  const auto response = testing::httpGet(port, "/metrics");
  std::istringstream lines(response.body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

std::string forwardedMessage(const std::string& subject, const std::string& body) {
  static std::atomic<int> counter{0};
  return "From: Someone <someone@elsewhere.test>\r\nTo: <alice@example.org>\r\nSubject: " +
         subject + "\r\nMessage-Id: <forwarded-" + std::to_string(getpid()) + "-" +
         std::to_string(++counter) +
         "@elsewhere.test>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n" + "\r\n" + body + "\r\n";
}

std::string reportMessage(const std::string& subject, const std::vector<std::string>& attached) {
  static std::atomic<int> counter{0};
  std::string m = "From: Alice <alice@example.org>\r\nSubject: " + subject +
                  "\r\nMessage-Id: <report-" + std::to_string(getpid()) + "-" +
                  std::to_string(++counter) +
                  "@example.org>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nMIME-Version: 1.0\r\n"
                  "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n"
                  "Content-Type: text/plain\r\n\r\nThe classifier got these wrong.\r\n";
  for (const auto& message : attached) {
    m +=
        "--b1\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n" + message;
  }
  return m + "--b1--\r\n";
}

}  // namespace portcullis::test
