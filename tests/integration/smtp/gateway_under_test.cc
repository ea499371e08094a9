#include "tests/integration/smtp/gateway_under_test.h"

#include <unistd.h>

#include <atomic>
#include <stdexcept>

namespace portcullis::test {

namespace {

GatewaySettings relayingTo(GatewaySettings settings, uint16_t port) {
  settings.relay_port = port;
  return settings;
}

}  // namespace

GatewayUnderTest::GatewayUnderTest(GatewaySettings settings, RecordingMta::Options options)
    : dir("portcullis-smtp"),
      recorder(dir / "recorder", std::move(options)),
      gateway(dir / "gateway", relayingTo(std::move(settings), recorder.port())) {
  recorder.start();
  gateway.start();
}

CommandResult swaks(uint16_t port, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {
      "swaks", "--server", "127.0.0.1", "--port", std::to_string(port), "--helo", "client.test"};
  argv.insert(argv.end(), args.begin(), args.end());
  return runCommand(argv, "", std::chrono::seconds(60));
}

std::string uniqueMessageId() {
  static std::atomic<int> counter{0};
  return "<portcullis-test-" + std::to_string(getpid()) + "-" + std::to_string(++counter) +
         "@example.test>";
}

bool sendSentinelAndWait(GatewayUnderTest& env, size_t expected_total) {
  auto sent =
      swaks(env.gateway.port(), {"--from", "sentinel@sender.test", "--to", "sentinel@example.org",
                                 "--header", "Message-Id: " + uniqueMessageId()});
  if (sent.exit_code != 0) return false;
  return env.recorder.waitForCount(expected_total, kArrivalTimeout);
}

std::string unfoldedHeader(const std::string& message) {
  std::string header = message.substr(0, message.find("\r\n\r\n"));
  std::string out;
  for (size_t i = 0; i < header.size(); ++i) {
    bool fold = header.compare(i, 2, "\r\n") == 0 && i + 2 < header.size() &&
                (header[i + 2] == ' ' || header[i + 2] == '\t');
    if (fold) {
      ++i;
      continue;
    }
    char c = header[i] == '\t' ? ' ' : header[i];
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out.push_back(c);
  }
  return out;
}

std::pair<std::string, std::string> makeTestCertificate(const TempDir& dir) {
  std::string cert = (dir / "cert.pem").string();
  std::string key = (dir / "key.pem").string();
  auto made = runCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                          "-subj", "/CN=gw.test", "-keyout", key, "-out", cert});
  if (made.exit_code != 0) throw std::runtime_error("openssl failed: " + made.output);
  return {cert, key};
}

}  // namespace portcullis::test
