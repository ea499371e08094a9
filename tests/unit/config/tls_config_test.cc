// Reading [tls]: the defaults an auditor expects (TLS 1.2 and 1.3, forward-secret suites, server
// order) and a file:line error for every value the server could not use.
#include <gtest/gtest.h>

#include "gateway/config/gateway_config.h"

namespace portcullis::config {
namespace {

GatewayConfig load(const std::string& tls) {
  std::string text = "[domains]\nlocal = [\"example.org\"]\n\n[tls]\n" + tls;
  return loadGatewayConfig(Document::parseString(text, "test.toml"));
}

// The message of the ConfigError loading `tls` throws, or "" when it loads.
std::string errorOf(const std::string& tls) {
  try {
    load(tls);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(TlsConfig, DefaultsOfferTls12And13WithForwardSecretSuitesInServerOrder) {
  TlsConfig c = load("").tls;
  EXPECT_FALSE(c.enabled());
  EXPECT_EQ(c.protocols, (std::vector<std::string>{"TLSv1.2", "TLSv1.3"}));
  EXPECT_TRUE(c.server_preference);
  // Every suite is ECDHE (no static RSA, no plain DHE needing parameters), AEAD suites first.
  std::string list = c.ciphers;
  bool seen_cbc = false;
  size_t start = 0;
  while (start < list.size()) {
    size_t end = list.find(':', start);
    if (end == std::string::npos) end = list.size();
    std::string suite = list.substr(start, end - start);
    start = end + 1;
    EXPECT_EQ(suite.rfind("ECDHE-", 0), 0u) << suite;
    bool aead =
        suite.find("GCM") != std::string::npos || suite.find("CHACHA20") != std::string::npos;
    if (!aead) seen_cbc = true;
    EXPECT_FALSE(aead && seen_cbc) << suite << " comes after a CBC suite";
  }
}

TEST(TlsConfig, ShippedConfigurationStatesTheDefaults) {
  TlsConfig shipped = loadGatewayConfigFile(PORTCULLIS_SOURCE_DIR "/deploy/portcullis.toml").tls;
  TlsConfig defaults;
  EXPECT_EQ(shipped.protocols, defaults.protocols);
  EXPECT_EQ(shipped.ciphers, defaults.ciphers);
  EXPECT_EQ(shipped.server_preference, defaults.server_preference);
}

TEST(TlsConfig, ReadsProtocolsCiphersAndServerPreference) {
  TlsConfig c = load(
                    "certificate = \"/c.pem\"\nkey = \"/k.pem\"\n"
                    "protocols = [\"TLSv1.3\"]\n"
                    "ciphers = \"ECDHE+AESGCM\"\n"
                    "server_preference = false\n")
                    .tls;
  EXPECT_TRUE(c.enabled());
  EXPECT_EQ(c.protocols, std::vector<std::string>{"TLSv1.3"});
  EXPECT_EQ(c.ciphers, "ECDHE+AESGCM");
  EXPECT_FALSE(c.server_preference);
}

TEST(TlsConfig, InvalidValuesFailWithFileAndLine) {
  EXPECT_EQ(
      errorOf("protocols = [\"TLSv1.1\"]\n").rfind("test.toml:5: tls.protocols: \"TLSv1.1\"", 0),
      0u);
  EXPECT_EQ(
      errorOf("\nprotocols = []\n").rfind("test.toml:6: tls.protocols: needs at least one", 0), 0u);
  EXPECT_EQ(errorOf("protocols = [\"TLSv1.3\", \"TLSv1.3\"]\n")
                .rfind("test.toml:5: tls.protocols: \"TLSv1.3\" is listed twice", 0),
            0u);
  EXPECT_EQ(errorOf("protocols = \"TLSv1.3\"\n").rfind("test.toml:5: tls.protocols:", 0), 0u);
  EXPECT_EQ(errorOf("ciphers = \" : \"\n").rfind("test.toml:5: tls.ciphers: needs at least one", 0),
            0u);
  EXPECT_EQ(
      errorOf("server_preference = \"yes\"\n").rfind("test.toml:5: tls.server_preference:", 0), 0u);
  EXPECT_EQ(errorOf("cipher_list = \"HIGH\"\n")
                .rfind("test.toml:5: unknown option \"tls.cipher_list\"", 0),
            0u);
}

}  // namespace
}  // namespace portcullis::config
