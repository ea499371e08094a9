// testssl (Debian package testssl.sh) against the gateway's STARTTLS with its default [tls], as an
// auditor would run it: every finding rated MEDIUM or worse fails the test, except those about the
// self-signed test certificate itself. It also checks what the defaults promise: TLS 1.2 and 1.3
// only, the server's cipher order, no static-RSA key exchange.
//
// Run offline and fast (about a minute): --fast, --ip one, --nodns min (no lookup for an IP
// address), and the checks -p (protocols), -s (cipher categories), -f (forward secrecy), -P (server
// preference), -S (server defaults and certificate), -U (vulnerabilities) and -e (each cipher).
// Left out: client simulation
// (-c, informational only: which browsers would connect), HTTP headers (-h, not HTTP) and the
// per-protocol cipher listing (-E, the same ciphers as -e).
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "tests/integration/tls/tls_test_support.h"

namespace portcullis::test {
namespace {

// Findings that only say the test certificate is self-signed and made a minute ago: no chain to a
// trusted root, no CRL or OCSP address.
const std::set<std::string> kTestCertificateFindings = {"cert_chain_of_trust", "cert_revocation"};

const std::set<std::string> kFailingSeverities = {"MEDIUM", "HIGH", "CRITICAL", "FATAL"};

struct Finding {
  std::string id;
  std::string severity;
  std::string text;
};

std::vector<Finding> runTestssl(uint16_t port, const std::filesystem::path& json) {
  auto run = runCommand({"testssl",
                         "--quiet",
                         "--fast",
                         "--ip",
                         "one",
                         "--nodns",
                         "min",
                         "--warnings",
                         "off",
                         "--color",
                         "0",
                         "--connect-timeout",
                         "10",
                         "--openssl-timeout",
                         "10",
                         "--starttls",
                         "smtp",
                         "-p",
                         "-s",
                         "-f",
                         "-P",
                         "-S",
                         "-U",
                         "-e",
                         "--jsonfile",
                         json.string(),
                         "127.0.0.1:" + std::to_string(port)},
                        "", std::chrono::seconds(400));
  if (run.timed_out) throw std::runtime_error("testssl timed out:\n" + run.output);
  std::vector<Finding> findings;
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(readFile(json), ec);
  if (ec || !parsed.is_array())
    throw std::runtime_error("testssl wrote no findings:\n" + run.output);
  for (const auto& entry : parsed.as_array()) {
    const auto& o = entry.as_object();
    findings.push_back({std::string(o.at("id").as_string()),
                        std::string(o.at("severity").as_string()),
                        std::string(o.at("finding").as_string())});
  }
  return findings;
}

TEST(TestsslAudit, NoFindingOfMediumOrWorseBeyondTheTestCertificate) {
  TempDir dir("portcullis-testssl");
  auto certificate = makeCertificate(dir, "rsa", KeyType::Rsa);
  GatewaySettings s = tlsGatewaySettings(tlsSettings(certificate.certificate, certificate.key));
  GatewayProcess gateway(dir / "gateway", s);
  gateway.start();

  auto findings = runTestssl(gateway.port(), dir / "testssl.json");
  std::map<std::string, Finding> by_id;
  std::ostringstream problems;
  int ciphers = 0;
  for (const auto& f : findings) {
    by_id.emplace(f.id, f);
    if (kFailingSeverities.count(f.severity) && !kTestCertificateFindings.count(f.id)) {
      problems << f.severity << " " << f.id << ": " << f.text << "\n";
    }
    // "xc030   ECDHE-RSA-AES256-GCM-SHA384   ECDH 253   AESGCM 256 ...": the third column is the
    // key exchange; a bare "RSA" there is a static-RSA suite.
    if (f.id.rfind("cipher_x", 0) == 0) {
      ++ciphers;
      std::istringstream columns(f.text);
      std::string hex, name, kx;
      columns >> hex >> name >> kx;
      EXPECT_NE(kx, "RSA") << "static-RSA key exchange offered: " << f.text;
    }
  }
  EXPECT_EQ(problems.str(), "") << "testssl findings rated MEDIUM or worse";
  EXPECT_GT(ciphers, 0) << "testssl listed no cipher: did the scan run?";
  ASSERT_TRUE(by_id.count("TLS1_2") && by_id.count("TLS1_3") && by_id.count("cipher_order"));
  EXPECT_EQ(by_id["TLS1"].text, "not offered");
  EXPECT_EQ(by_id["TLS1_1"].text, "not offered");
  EXPECT_EQ(by_id["TLS1_2"].text, "offered");
  EXPECT_EQ(by_id["TLS1_3"].text.rfind("offered", 0), 0u);
  EXPECT_EQ(by_id["cipher_order"].severity, "OK") << by_id["cipher_order"].text;
}

}  // namespace
}  // namespace portcullis::test
