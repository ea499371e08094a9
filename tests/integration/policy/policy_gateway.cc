#include "tests/integration/policy/policy_gateway.h"

#include <unistd.h>

#include <atomic>

namespace portcullis::test {

namespace {

constexpr const char* kRules =
    "body TEST_TAG /tag me please/\n"
    "describe TEST_TAG Test phrase worth a tag\n"
    "score TEST_TAG 6\n"
    "body TEST_QUARANTINE /quarantine me please/\n"
    "score TEST_QUARANTINE 12\n"
    "body TEST_REJECT /reject me please/\n"
    "score TEST_REJECT 20\n";

GatewaySettings withPolicy(GatewaySettings s, uint16_t relay_port) {
  s.relay_port = relay_port;
  s.policy =
      "tag_threshold = 5\nquarantine_threshold = 10\nreject_threshold = 15\n"
      "subject_prefix = \"[SPAM]\"\n" +
      s.policy;
  return s;
}

}  // namespace

PolicyGateway::PolicyGateway(GatewaySettings settings)
    : dir("portcullis-policy"),
      recorder(dir / "recorder"),
      gateway(dir / "gateway", withPolicy(std::move(settings), recorder.port())) {
  writeFile(dir / "test-rules.cf", kRules);
  gateway.settings().extra +=
      "\n[checks.content]\nrules = [\"" + (dir / "test-rules.cf").string() + "\"]\n";
  recorder.start();
  gateway.start();
}

std::string testMessage(const std::string& subject, const std::string& body,
                        const std::string& extra_headers) {
  static std::atomic<int> counter{0};
  std::string id = "<policy-test-" + std::to_string(getpid()) + "-" + std::to_string(++counter) +
                   "@sender.test>";
  return "From: Sender <alice@sender.test>\r\nTo: <bob@example.org>\r\nSubject: " + subject +
         "\r\nMessage-Id: " + id + "\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n" + extra_headers +
         "\r\n" + body + "\r\n";
}

Exchange transact(RawSmtpConnection& c, const std::string& from,
                  const std::vector<std::string>& rcpts, const std::string& message) {
  Exchange e;
  e.mail = c.command("MAIL FROM:<" + from + ">");
  if (e.mail.code != 250) return e;
  bool accepted = false;
  for (const auto& r : rcpts) {
    e.rcpts.push_back(c.command("RCPT TO:<" + r + ">"));
    accepted = accepted || e.rcpts.back().code == 250;
  }
  if (!accepted) {
    c.command("RSET");
    return e;
  }
  if (c.command("DATA").code != 354) return e;
  c.send(message + ".\r\n");
  e.data = c.readReply();
  return e;
}

Exchange sendMessage(uint16_t port, const std::string& from, const std::vector<std::string>& rcpts,
                     const std::string& message) {
  RawSmtpConnection c(port);
  c.readReply();
  c.command("EHLO client.test");
  Exchange e = transact(c, from, rcpts, message);
  c.command("QUIT");
  return e;
}

RecordedMessage findBySubject(const RecordingMta& recorder, const std::string& subject) {
  for (auto& m : recorder.messages()) {
    std::string header = headerOf(m.data);
    auto at = header.find("\r\nSubject: ");
    if (at == std::string::npos) continue;
    auto end = header.find("\r\n", at + 2);
    if (header.substr(at, end - at).find(subject) != std::string::npos) return m;
  }
  return {};
}

std::string headerOf(const std::string& message) {
  std::string header = message.substr(0, message.find("\r\n\r\n") + 2);
  std::string out;
  for (size_t i = 0; i < header.size(); ++i) {
    bool fold = header.compare(i, 2, "\r\n") == 0 && i + 2 < header.size() &&
                (header[i + 2] == ' ' || header[i + 2] == '\t');
    if (fold) {
      i += 2;
      out.push_back(' ');
      while (i + 1 < header.size() && (header[i + 1] == ' ' || header[i + 1] == '\t')) ++i;
      continue;
    }
    out.push_back(header[i]);
  }
  return "\r\n" + out;
}

}  // namespace portcullis::test
