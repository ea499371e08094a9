// The web console over HTTPS with the [tls] certificate (curl as the client), and the refusal of
// plain HTTP on an address other than loopback.
#include <gtest/gtest.h>

#include <regex>

#include "tests/support/gateway_process.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace portcullis::test {
namespace {

// These tests send no mail: the relay port is never connected to.
constexpr uint16_t kNoRelay = 1;

TEST(WebConsoleHttps, ServesWithTheTlsCertificateAndSecureCookies) {
  TempDir dir("web-https");
  std::string cert = (dir.path() / "cert.pem").string();
  std::string key = (dir.path() / "key.pem").string();
  CommandResult made =
      runCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj",
                  "/CN=gw.test", "-days", "2", "-keyout", key, "-out", cert});
  ASSERT_EQ(made.exit_code, 0) << made.output;
  GatewaySettings settings;
  settings.relay_port = kNoRelay;
  settings.tls = "certificate = \"" + cert + "\"\nkey = \"" + key + "\"\n";
  settings.extra = "[web]\nlisten = \"127.0.0.1:0\"\n";
  GatewayProcess gateway(dir.path(), settings);
  gateway.start();
  std::smatch port;
  std::string log = gateway.log();
  ASSERT_TRUE(
      std::regex_search(log, port, std::regex("web console on https://127\\.0\\.0\\.1:([0-9]+)/")))
      << log;
  CommandResult page = runCommand({"curl", "-sS", "--noproxy", "*", "--cacert", cert, "--resolve",
                                   "gw.test:" + port[1].str() + ":127.0.0.1", "-D", "-",
                                   "https://gw.test:" + port[1].str() + "/login"});
  ASSERT_EQ(page.exit_code, 0) << page.output;
  EXPECT_NE(page.output.find("HTTP/1.1 200"), std::string::npos) << page.output;
  EXPECT_NE(page.output.find("; HttpOnly; SameSite=Strict; Secure"), std::string::npos)
      << page.output;
  EXPECT_NE(page.output.find("Strict-Transport-Security: max-age="), std::string::npos);
  EXPECT_NE(page.output.find("<form class=\"login\""), std::string::npos);

  CommandResult plain =
      runCommand({"curl", "-sS", "--noproxy", "*", "-o", "/dev/null", "-w", "%{http_code}",
                  "http://127.0.0.1:" + port[1].str() + "/login"});
  EXPECT_NE(plain.output.find("000"), std::string::npos) << "no plain HTTP on the HTTPS port";
  EXPECT_EQ(gateway.stop(), 0) << gateway.log();
}

TEST(WebConsoleHttps, PlainHttpOnAnotherAddressThanLoopbackIsAConfigError) {
  TempDir dir("web-plain");
  GatewaySettings settings;
  settings.relay_port = kNoRelay;
  settings.extra = "[web]\nlisten = \"0.0.0.0:8080\"\n";
  GatewayProcess gateway(dir.path(), settings);
  gateway.writeConfig();
  CommandResult check =
      runCommand({portcullisBinary().string(), "config", "check", gateway.configPath().string()});
  EXPECT_NE(check.exit_code, 0);
  EXPECT_NE(check.output.find("plain HTTP only on a loopback address"), std::string::npos)
      << check.output;
}

}  // namespace
}  // namespace portcullis::test
