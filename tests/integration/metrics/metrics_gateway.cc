#include "tests/integration/metrics/metrics_gateway.h"

#include <regex>
#include <stdexcept>

namespace portcullis::test {
namespace {

GatewaySettings withMetrics(GatewaySettings settings, uint16_t relay_port) {
  if (settings.relay_port == 0) settings.relay_port = relay_port;
  settings.metrics = "listen = \"127.0.0.1:0\"\n";
  return settings;
}

uint16_t metricsPort(const std::string& log) {
  static const std::regex line(R"(metrics on http://127\.0\.0\.1:([0-9]+)/metrics)");
  std::smatch m;
  if (!std::regex_search(log, m, line)) {
    throw std::runtime_error("the gateway did not log its metrics address; log:\n" + log);
  }
  return static_cast<uint16_t>(std::stoi(m[1].str()));
}

}  // namespace

std::string projectChecks() {
  std::string source = PORTCULLIS_SOURCE_DIR;
  return "[checks.clamav]\nsignature_dirs = [\"" + source + "/signatures\"]\n" +
         "\n[checks.content]\nrules = [\"" + source + "/rules\"]\n";
}

std::string gtubeBody() {
  return "This is spam by definition:\n"
         "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X\n";
}

MetricsGateway::MetricsGateway(GatewaySettings settings)
    : dir("portcullis-metrics"),
      recorder(dir / "recorder"),
      gateway(dir / "gateway", withMetrics(std::move(settings), recorder.port())) {
  recorder.start();
  gateway.start();
  metrics_port = metricsPort(gateway.log());
}

CommandResult MetricsGateway::send(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"swaks",
                                   "--server",
                                   "127.0.0.1",
                                   "--port",
                                   std::to_string(gateway.port()),
                                   "--helo",
                                   "client.test",
                                   "--from",
                                   "alice@sender.test",
                                   "--to",
                                   "bob@example.org"};
  argv.insert(argv.end(), args.begin(), args.end());
  return runCommand(argv, "", std::chrono::seconds(60));
}

testing::HttpResponse MetricsGateway::get(const std::string& path) const {
  return testing::httpGet(metrics_port, path);
}

std::string MetricsGateway::scrape() const {
  auto response = get("/metrics");
  return response.status == 200 ? response.body : std::string();
}

std::optional<double> MetricsGateway::value(const std::string& series) const {
  return sampleValue(scrape(), series);
}

std::optional<double> sampleValue(const std::string& exposition, const std::string& series) {
  const std::string prefix = series + " ";
  for (size_t start = 0; start < exposition.size();) {
    size_t end = exposition.find('\n', start);
    if (end == std::string::npos) end = exposition.size();
    if (exposition.compare(start, prefix.size(), prefix) == 0) {
      try {
        return std::stod(exposition.substr(start + prefix.size(), end - start - prefix.size()));
      } catch (const std::exception&) {
        return std::nullopt;
      }
    }
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace portcullis::test
