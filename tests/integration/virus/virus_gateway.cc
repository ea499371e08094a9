#include "tests/integration/virus/virus_gateway.h"

#include <unistd.h>

#include <atomic>
#include <regex>

namespace portcullis::test {

namespace {

GatewaySettings relayingTo(GatewaySettings settings, uint16_t port) {
  settings.relay_port = port;
  return settings;
}

// The DATA payload for `message`: CRLF line ends, leading dots doubled, ending in "\r\n.\r\n".
std::string dataPayload(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 32 + 8);
  bool line_start = true;
  for (size_t i = 0; i < message.size(); ++i) {
    char c = message[i];
    if (line_start && c == '.') out.push_back('.');
    line_start = false;
    if (c == '\r' && i + 1 < message.size() && message[i + 1] == '\n') continue;
    if (c == '\n' || c == '\r') {
      out += "\r\n";
      line_start = true;
      continue;
    }
    out.push_back(c);
  }
  if (!line_start) out += "\r\n";
  out += ".\r\n";
  return out;
}

}  // namespace

std::string clamavTable(const std::string& extra) {
  return "[checks.clamav]\nsignature_dirs = [\"" + kProjectSignatures.string() +
         "\"]\nreload_check_period = \"0s\"\n" + extra;
}

VirusGateway::VirusGateway(GatewaySettings settings)
    : dir("portcullis-virus"),
      recorder(dir / "recorder"),
      gateway(dir / "gateway", relayingTo(std::move(settings), recorder.port())) {
  recorder.start();
  gateway.start();
}

SmtpReply sendMessage(uint16_t port, std::string_view message, std::string_view sender) {
  RawSmtpConnection smtp(port, std::chrono::seconds(60));
  SmtpReply reply = smtp.readReply();
  if (reply.code != 220) return reply;
  for (const std::string& command :
       {std::string("EHLO client.test"), "MAIL FROM:<" + std::string(sender) + ">",
        std::string("RCPT TO:<bob@example.org>")}) {
    reply = smtp.command(command);
    if (reply.code != 250) return reply;
  }
  reply = smtp.command("DATA");
  if (reply.code != 354) return reply;
  smtp.send(dataPayload(message));
  reply = smtp.readReply();
  smtp.command("QUIT");
  return reply;
}

std::string cleanMessage(const std::string& message_id) {
  return "From: Alice <alice@sender.test>\r\nTo: bob@example.org\r\nSubject: lunch\r\n"
         "Message-Id: " +
         message_id + "\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\n\r\nSee you at noon.\r\n";
}

std::string uniqueMessageId() {
  static std::atomic<int> counter{0};
  return "<virus-test-" + std::to_string(getpid()) + "-" + std::to_string(++counter) +
         "@example.test>";
}

bool sendSentinelAndWait(VirusGateway& env, size_t expected_total) {
  SmtpReply reply =
      sendMessage(env.gateway.port(), cleanMessage(uniqueMessageId()), kSentinelSender);
  if (reply.code != 250) return false;
  return env.recorder.waitForCount(expected_total, kArrivalTimeout);
}

size_t nonSentinelCount(const RecordingMta& recorder) {
  size_t n = 0;
  for (const auto& m : recorder.messages()) n += m.mail_from != kSentinelSender;
  return n;
}

std::string queuedId(const SmtpReply& reply) {
  static const std::regex queued("queued as ([0-9A-Za-z]+)");
  std::smatch m;
  return std::regex_search(reply.text, m, queued) ? m[1].str() : std::string();
}

}  // namespace portcullis::test
