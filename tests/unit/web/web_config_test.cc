#include "gateway/web/web_config.h"

#include <gtest/gtest.h>

#include "gateway/web/password.h"

namespace portcullis::web {
namespace {

using namespace std::chrono_literals;

const std::string& hash() {
  static const std::string h = *hashPassword("pw");
  return h;
}

std::optional<WebConfig> load(const std::string& web, const std::string& tls = "") {
  auto doc = config::Document::parseString(
      "[domains]\nlocal = [\"example.org\"]\n[quarantine]\ndirectory = \"/q\"\n[tls]\n" + tls +
          "\n" + web,
      "gw.toml");
  return loadWebConfig(config::loadGatewayConfig(doc));
}

std::string errorOf(const std::string& web, const std::string& tls = "") {
  try {
    load(web, tls);
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(WebConfig, OffWithoutATable) {
  EXPECT_FALSE(load(""));
}

TEST(WebConfig, DefaultsAndUsers) {
  auto c = load("[web]\nlisten = \"127.0.0.1:8080\"\n[web.users]\nadmin = \"" + hash() + "\"\n");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->host, "127.0.0.1");
  EXPECT_EQ(c->port, 8080);
  EXPECT_FALSE(c->https);
  EXPECT_EQ(c->users.at("admin"), hash());
  EXPECT_EQ(c->session_lifetime, 8h);
  EXPECT_EQ(c->login_failures, 5u);
  EXPECT_EQ(c->login_window, 15min);
  EXPECT_EQ(c->link_lifetime, 7 * 24h);
  EXPECT_EQ(c->link_key_file, "/q/web-link.key");
  EXPECT_EQ(c->audit_log, "/q/audit.log");
  EXPECT_EQ(consoleBaseUrl(*c), "http://127.0.0.1:8080");
  c->public_url = "https://gw.example.org";
  EXPECT_EQ(consoleBaseUrl(*c), "https://gw.example.org");
}

TEST(WebConfig, PlainHttpOnlyOnLoopback) {
  EXPECT_NE(errorOf("[web]\nlisten = \"192.0.2.1:8443\"\n").find("gw.toml:"), std::string::npos);
  EXPECT_NE(errorOf("[web]\nlisten = \"0.0.0.0:8443\"\n").find("plain HTTP only on a loopback"),
            std::string::npos);
  EXPECT_EQ(errorOf("[web]\nlisten = \"[::1]:8443\"\n"), "");
  EXPECT_EQ(consoleBaseUrl(*load("[web]\nlisten = \"[::1]:8443\"\n")), "http://[::1]:8443");
  auto https = load("[web]\nlisten = \"0.0.0.0:8443\"\n",
                    "certificate = \"/etc/ssl/c.pem\"\nkey = \"/etc/ssl/k.pem\"\n");
  ASSERT_TRUE(https);
  EXPECT_TRUE(https->https);
}

TEST(WebConfig, RejectsBadValuesWithTheirLine) {
  EXPECT_NE(errorOf("[web]\nlisten = \"localhost:80\"\n").find("not an IP address"),
            std::string::npos);
  EXPECT_NE(errorOf("[web]\nlisten = \"127.0.0.1\"\n").find("not ip:port"), std::string::npos);
  EXPECT_NE(errorOf("[web]\nlisten = \"127.0.0.1:8080\"\n[web.users]\nadmin = \"secret\"\n")
                .find("gw.toml:10: web.users.admin"),
            std::string::npos);
  EXPECT_NE(errorOf("[web]\nlisten = \"127.0.0.1:8080\"\nlogin_failures = 0\n")
                .find("gw.toml:9: web.login_failures"),
            std::string::npos);
  EXPECT_NE(errorOf("[web]\nlisten = \"127.0.0.1:8080\"\nsesion_lifetime = \"1h\"\n")
                .find("sesion_lifetime"),
            std::string::npos);
  EXPECT_NE(errorOf("[web]\nlisten = \"127.0.0.1:8080\"\npublic_url = \"gw.example.org\"\n")
                .find("https://"),
            std::string::npos);
}

}  // namespace
}  // namespace portcullis::web
