// The set-up the authentication tests share: a DKIM key made for the test, a private dnsmasq
// serving the records below, a recording internal MTA, and the real `portcullis serve` with
// [checks.spf], [checks.dkim], [checks.dmarc] and [checks.dnsbl] asking that dnsmasq and /metrics
// on an ephemeral port; plus an SMTP client for one message and readers for header fields and
// metrics. Everything listens on 127.0.0.1 and is stopped when the object goes away.
//
// Records (the test client is always 127.0.0.1):
//   signed.test  SPF pass for 127.0.0.1, DMARC p=reject, DKIM key at sel._domainkey.signed.test
//   fail.test    SPF -all without 127.0.0.1, DMARC p=reject
//   soft.test    SPF ~all without 127.0.0.1, DMARC p=none
//   bl.test      a DNS list of 127.0.0.2 (the RFC 5782 test point) and 127.0.0.1
//   clean.test   a DNS list with no entries
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/auth/dkim_signer.h"
#include "tests/support/dnsmasq_server.h"
#include "tests/support/gateway_process.h"
#include "tests/support/loopback.h"
#include "tests/support/recording_mta.h"
#include "tests/support/temp_dir.h"

namespace portcullis::auth_test {

inline constexpr const char* kAuthservId = "auth.gw.test";  // [server] authserv_id
inline constexpr const char* kListSymbol = "RCVD_IN_TEST_BL";
inline constexpr const char* kRecipient = "user@example.org";

struct AuthOptions {
  std::string dnsbl_zone = "clean.test";  // the zone of [[checks.dnsbl.zone]] (symbol kListSymbol)
  std::string dnsbl_zone_keys;            // further keys of that zone, e.g. "reject = true\n"
  std::string dns_keys = "timeout = \"2s\"\nattempts = 1\n";  // [dns] besides servers
};

struct AuthEnvironment {
  explicit AuthEnvironment(AuthOptions options = {});

  // The relayed copy of the `n`-th message the internal MTA received (1-based), waiting for it;
  // nothing when it does not arrive.
  std::optional<test::RecordedMessage> relayed(size_t n);
  // The port the gateway's /metrics listens on, read from its log.
  uint16_t metricsPort() const;

  test::TempDir dir;
  DkimKey key;
  test::DnsmasqServer dns;
  test::RecordingMta recorder;
  test::GatewayProcess gateway;
};

// A message with CRLF line ends from `from` to kRecipient; `extra_fields` ("Name: value\r\n"
// lines) go before the standard fields.
std::string makeMessage(const std::string& from, const std::string& subject,
                        const std::string& body, const std::string& extra_fields = "");

// One SMTP transaction (EHLO client.test, MAIL, RCPT kRecipient, DATA): the reply to the end of
// DATA, or the first reply that was not positive.
test::SmtpReply sendMessage(uint16_t port, const std::string& mail_from, const std::string& data);

// The values of every `name` field in the header section of `message`, unfolded.
std::vector<std::string> fieldValues(const std::string& message, std::string_view name);

// GET /metrics on 127.0.0.1:port; empty when the endpoint does not answer 200.
std::string scrapeMetrics(uint16_t port);
// The sum of the samples of metric `name` whose labels include `label` (e.g. result="timeout").
double sumOfSamples(const std::string& exposition, std::string_view name, std::string_view label);

}  // namespace portcullis::auth_test
