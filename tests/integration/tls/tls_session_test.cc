// The gateway's STARTTLS as clients and the internal MTA see it: a clean TLS shutdown
// (close_notify) after QUIT in both directions, STARTTLS accepted after HELO or before any
// greeting, the server's cipher order, no static-RSA key exchange, the configured protocol
// versions, and sslscan's view of protocols and ciphers.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <thread>

#include "tests/integration/tls/tls_test_support.h"
#include "tests/support/child_process.h"
#include "tests/support/loopback.h"

namespace portcullis::test {
namespace {

class TlsSessionTest : public ::testing::Test {
 protected:
  // Starts a gateway with an RSA certificate and `extra` [tls] lines.
  void startGateway(const std::string& extra = "") {
    GatewaySettings s =
        tlsGatewaySettings(tlsSettings(certificate_.certificate, certificate_.key, extra));
    gateway_ = std::make_unique<GatewayProcess>(dir_ / "gateway", s);
    gateway_->start();
  }

  TempDir dir_{"portcullis-tls"};
  CertificateFiles certificate_ = makeCertificate(dir_, "rsa", KeyType::Rsa);
  std::unique_ptr<GatewayProcess> gateway_;
};

TEST_F(TlsSessionTest, ClientSeesCleanShutdownAfterQuit) {
  startGateway();
  auto session = startTlsSession(gateway_->port());
  EXPECT_EQ(session.at("starttls").as_int64(), 220);
  EXPECT_EQ(session.at("version").as_string(), "TLSv1.3");
  EXPECT_EQ(session.at("quit").as_int64(), 221);
  EXPECT_TRUE(session.at("clean_shutdown").as_bool()) << boost::json::serialize(session);
}

TEST_F(TlsSessionTest, StartTlsAfterHeloIsAcceptedWhenTlsIsRequired) {
  startGateway("required = true\n");
  auto session = startTlsSession(gateway_->port(), {"--helo"});
  EXPECT_EQ(session.at("hello").as_int64(), 250);
  EXPECT_EQ(session.at("starttls").as_int64(), 220) << boost::json::serialize(session);
  EXPECT_EQ(session.at("ehlo_after_tls").as_int64(), 250);

  RawSmtpConnection raw(gateway_->port());
  EXPECT_EQ(raw.readReply().code, 220);
  EXPECT_EQ(raw.command("STARTTLS").code, 220);  // before any EHLO
}

TEST_F(TlsSessionTest, ServerCipherOrderWinsByDefault) {
  startGateway();
  // The client prefers a CBC suite; the server's order puts AEAD first.
  auto session = startTlsSession(
      gateway_->port(),
      {"--max-tls", "1.2", "--ciphers", "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-GCM-SHA384"});
  EXPECT_EQ(session.at("version").as_string(), "TLSv1.2") << boost::json::serialize(session);
  EXPECT_EQ(session.at("cipher").as_string(), "ECDHE-RSA-AES256-GCM-SHA384");
}

TEST_F(TlsSessionTest, ClientCipherOrderWinsWithoutServerPreference) {
  startGateway("server_preference = false\n");
  auto session = startTlsSession(
      gateway_->port(),
      {"--max-tls", "1.2", "--ciphers", "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-GCM-SHA384"});
  EXPECT_EQ(session.at("cipher").as_string(), "ECDHE-RSA-AES128-SHA")
      << boost::json::serialize(session);
}

TEST_F(TlsSessionTest, NoStaticRsaKeyExchangeByDefault) {
  startGateway();
  auto session = startTlsSession(
      gateway_->port(),
      {"--max-tls", "1.2", "--ciphers", "AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA"});
  EXPECT_EQ(session.at("starttls").as_int64(), 220);
  EXPECT_TRUE(session.contains("handshake_error")) << boost::json::serialize(session);
}

TEST_F(TlsSessionTest, OffersOnlyTheConfiguredProtocols) {
  startGateway("protocols = [\"TLSv1.3\"]\n");
  auto old_client = startTlsSession(gateway_->port(), {"--max-tls", "1.2"});
  EXPECT_TRUE(old_client.contains("handshake_error")) << boost::json::serialize(old_client);
  auto session = startTlsSession(gateway_->port());
  EXPECT_EQ(session.at("version").as_string(), "TLSv1.3") << boost::json::serialize(session);
}

TEST_F(TlsSessionTest, EcCertificateServesTls12WithDefaultCiphers) {
  certificate_ = makeCertificate(dir_, "ec", KeyType::Ec);
  startGateway();
  auto session = startTlsSession(gateway_->port(), {"--max-tls", "1.2"});
  EXPECT_EQ(session.at("version").as_string(), "TLSv1.2") << boost::json::serialize(session);
  EXPECT_EQ(session.at("cipher").as_string().subview().rfind("ECDHE-ECDSA-", 0), 0u);
}

// The internal MTA (tls_peer.py server) records whether the gateway's relay client ended the TLS
// connection with close_notify after QUIT.
TEST_F(TlsSessionTest, InternalMtaSeesCleanShutdownAfterQuit) {
  uint16_t mta_port = freeLoopbackPort();
  auto record = dir_ / "mta-record.txt";
  auto mta = ChildProcess::start(
      {"/usr/bin/python3", tlsPeerScript(), "server", "--port", std::to_string(mta_port), "--cert",
       certificate_.certificate, "--key", certificate_.key, "--record", record.string()},
      dir_ / "mta.log");
  ASSERT_TRUE(waitForPort(mta_port)) << readFile(dir_ / "mta.log");
  GatewaySettings s;
  s.mode = "proxy";
  s.relay_port = mta_port;
  s.relay_tls = "required";
  gateway_ = std::make_unique<GatewayProcess>(dir_ / "gateway", s);
  gateway_->start();
  auto sent = runCommand({"swaks", "--server", "127.0.0.1", "--port",
                          std::to_string(gateway_->port()), "--from", "alice@sender.test", "--to",
                          "bob@example.org", "--body", "close_notify test"});
  ASSERT_EQ(sent.exit_code, 0) << sent.output << gateway_->log();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (readFile(record).empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(readFile(record), "clean\n") << readFile(dir_ / "mta.log") << gateway_->log();
}

// sslscan's list of accepted protocols and ciphers: TLS 1.2 and 1.3 only, and every TLS 1.2
// cipher with an ephemeral (EC)DHE key exchange.
TEST_F(TlsSessionTest, SslscanFindsOnlyModernProtocolsAndForwardSecrecy) {
  startGateway();
  auto scan = runCommand({"sslscan", "--no-colour", "--starttls-smtp",
                          "127.0.0.1:" + std::to_string(gateway_->port())},
                         "", std::chrono::seconds(120));
  ASSERT_EQ(scan.exit_code, 0) << scan.output;
  for (const char* off : {"SSLv2     disabled", "SSLv3     disabled", "TLSv1.0   disabled",
                          "TLSv1.1   disabled", "TLSv1.2   enabled", "TLSv1.3   enabled"}) {
    EXPECT_NE(scan.output.find(off), std::string::npos) << off << "\n" << scan.output;
  }
  static const std::regex cipher_line(
      R"(^(Preferred|Accepted)\s+TLSv1\.2\s+\d+ bits\s+(\S+)\s*(.*)$)");
  std::istringstream lines(scan.output);
  std::string line;
  int tls12 = 0;
  while (std::getline(lines, line)) {
    std::smatch m;
    if (!std::regex_match(line, m, cipher_line)) continue;
    ++tls12;
    EXPECT_NE(m[3].str().find("DHE"), std::string::npos) << "no forward secrecy: " << line;
    if (m[1] == "Preferred") {
      EXPECT_TRUE(m[2].str().find("GCM") != std::string::npos ||
                  m[2].str().find("CHACHA20") != std::string::npos)
          << line;
    }
  }
  EXPECT_GT(tls12, 0) << scan.output;
}

}  // namespace
}  // namespace portcullis::test
