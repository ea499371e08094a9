#include "tests/integration/auth/auth_environment.h"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <ctime>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "tests/unit/metrics/http_get.h"

namespace portcullis::auth_test {

namespace {

constexpr std::chrono::seconds kArrivalTimeout{30};
constexpr std::chrono::seconds kMetricsLogTimeout{10};

std::vector<std::string> dnsRecords(const DkimKey& key) {
  return {
      R"(txt-record=signed.test,"v=spf1 ip4:127.0.0.1 -all")",
      R"(txt-record=_dmarc.signed.test,"v=DMARC1; p=reject")",
      dkimKeyRecord(key, "signed.test", "sel"),
      R"(txt-record=fail.test,"v=spf1 ip4:192.0.2.1 -all")",
      R"(txt-record=_dmarc.fail.test,"v=DMARC1; p=reject")",
      R"(txt-record=soft.test,"v=spf1 ip4:192.0.2.1 ~all")",
      R"(txt-record=_dmarc.soft.test,"v=DMARC1; p=none")",
      "host-record=2.0.0.127.bl.test,127.0.0.2",
      "host-record=1.0.0.127.bl.test,127.0.0.2",
      "ptr-record=1.0.0.127.in-addr.arpa,client.test",
      "host-record=client.test,127.0.0.1",
  };
}

test::GatewaySettings gatewaySettings(const AuthOptions& options, uint16_t dns_port,
                                      uint16_t relay_port) {
  test::GatewaySettings s;
  s.relay_port = relay_port;
  s.server = std::string("authserv_id = \"") + kAuthservId + "\"\n";
  s.client_reverse_lookup = true;
  s.metrics = "enabled = true\nlisten = \"127.0.0.1:0\"\n";
  s.extra = "[dns]\nservers = [\"127.0.0.1:" + std::to_string(dns_port) + "\"]\n" +
            options.dns_keys +
            "\n[checks.spf]\n"
            "\n[checks.dkim]\n"
            "\n[checks.dmarc]\n"
            "\n[checks.dnsbl]\nskip_local = false\n"
            "\n[[checks.dnsbl.zone]]\nzone = \"" +
            options.dnsbl_zone + "\"\nsymbol = \"" + kListSymbol + "\"\nscore = 6.0\n" +
            options.dnsbl_zone_keys;
  return s;
}

std::string rfc5322Date() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &utc);
  return text;
}

std::string uniqueMessageId() {
  static std::atomic<int> counter{0};
  return "<auth-" + std::to_string(getpid()) + "-" + std::to_string(++counter) + "@client.test>";
}

// SMTP transparency (RFC 5321 §4.5.2): a line starting with "." gets another one.
std::string dotStuffed(const std::string& data) {
  std::string out;
  bool line_start = true;
  for (char c : data) {
    if (line_start && c == '.') out.push_back('.');
    out.push_back(c);
    line_start = c == '\n';
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

bool sameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// Runs of blanks (folding included) made one space, the ends trimmed.
std::string squeezed(const std::string& text) {
  std::string out;
  for (char c : text) {
    bool blank = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (blank) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

AuthEnvironment::AuthEnvironment(AuthOptions options)
    : dir("portcullis-auth"),
      key(makeDkimKey(dir.path())),
      dns(dnsRecords(key)),
      recorder(dir / "recorder"),
      gateway(dir / "gateway", gatewaySettings(options, dns.port(), recorder.port())) {
  recorder.start();
  gateway.start();
}

std::optional<test::RecordedMessage> AuthEnvironment::relayed(size_t n) {
  recorder.waitForCount(n, kArrivalTimeout);
  auto messages = recorder.messages();
  if (messages.size() < n) return std::nullopt;
  return messages[n - 1];
}

uint16_t AuthEnvironment::metricsPort() const {
  if (!gateway.waitForLog("metrics on http://", kMetricsLogTimeout)) {
    throw std::runtime_error("the gateway logged no metrics address:\n" + gateway.log());
  }
  static const std::regex address("metrics on http://127\\.0\\.0\\.1:([0-9]+)/metrics");
  std::string log = gateway.log();
  std::smatch m;
  if (!std::regex_search(log, m, address)) {
    throw std::runtime_error("unexpected metrics address in the log:\n" + log);
  }
  return static_cast<uint16_t>(std::stoi(m[1].str()));
}

std::string makeMessage(const std::string& from, const std::string& subject,
                        const std::string& body, const std::string& extra_fields) {
  return extra_fields + "From: <" + from + ">\r\nTo: <" + kRecipient + ">\r\nSubject: " + subject +
         "\r\nDate: " + rfc5322Date() + "\r\nMessage-ID: " + uniqueMessageId() +
         "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + body;
}

test::SmtpReply sendMessage(uint16_t port, const std::string& mail_from, const std::string& data) {
  test::RawSmtpConnection smtp(port);
  test::SmtpReply reply = smtp.readReply();
  if (reply.code != 220) return reply;
  reply = smtp.command("EHLO client.test");
  if (reply.code != 250) return reply;
  reply = smtp.command("MAIL FROM:<" + mail_from + ">");
  if (reply.code != 250) return reply;
  reply = smtp.command(std::string("RCPT TO:<") + kRecipient + ">");
  if (reply.code != 250) return reply;
  reply = smtp.command("DATA");
  if (reply.code != 354) return reply;
  smtp.send(dotStuffed(data) + ".\r\n");
  test::SmtpReply end = smtp.readReply();
  smtp.command("QUIT");
  return end;
}

std::vector<std::string> fieldValues(const std::string& message, std::string_view name) {
  std::string header = message.substr(0, message.find("\r\n\r\n"));
  std::vector<std::string> fields;  // each field with its folded lines
  std::istringstream lines(header);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t') && !fields.empty()) {
      fields.back() += " " + line;
    } else {
      fields.push_back(line);
    }
  }
  std::vector<std::string> values;
  for (const auto& field : fields) {
    size_t colon = field.find(':');
    if (colon != std::string::npos && sameName(squeezed(field.substr(0, colon)), name))
      values.push_back(squeezed(field.substr(colon + 1)));
  }
  return values;
}

std::string scrapeMetrics(uint16_t port) {
  testing::HttpResponse response = testing::httpGet(port, "/metrics");
  return response.status == 200 ? response.body : std::string();
}

double sumOfSamples(const std::string& exposition, std::string_view name, std::string_view label) {
  double sum = 0;
  std::istringstream lines(exposition);
  for (std::string line; std::getline(lines, line);) {
    if (line.compare(0, name.size(), name) != 0 || line.size() <= name.size() ||
        line[name.size()] != '{' || line.find(label) == std::string::npos)
      continue;
    sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

}  // namespace portcullis::auth_test
