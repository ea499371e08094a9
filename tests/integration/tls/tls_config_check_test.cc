// A [tls] the server could not use is refused by `portcullis config check` and by `serve`, with
// the file:line of the offending key, instead of a gateway whose every handshake fails: a key of
// another type than the certificate's, a key of another certificate, a cipher list with an unknown
// name or with nothing the certificate can authenticate.
#include <gtest/gtest.h>

#include "tests/integration/tls/tls_test_support.h"

namespace portcullis::test {
namespace {

class TlsConfigCheckTest : public ::testing::Test {
 protected:
  // `config check` must fail naming `key` of [tls] at its line and saying `what`; `serve` must
  // refuse to start with the same message.
  void expectRefused(const std::string& tls, const std::string& key, const std::string& what) {
    GatewaySettings s = tlsGatewaySettings(tls);
    GatewayProcess gateway(dir_ / "gateway", s);
    auto checked = configCheck(gateway);
    int line = lineOf(gateway.configPath(), key + " = ");
    ASSERT_GT(line, 0);
    std::string where = gateway.configPath().string() + ":" + std::to_string(line) + ": tls." + key;
    EXPECT_NE(checked.exit_code, 0) << checked.output;
    EXPECT_NE(checked.output.find(where), std::string::npos) << checked.output;
    EXPECT_NE(checked.output.find(what), std::string::npos) << checked.output;

    auto served =
        runCommand({portcullisBinary().string(), "serve", "-c", gateway.configPath().string()}, "",
                   std::chrono::seconds(20));
    EXPECT_FALSE(served.timed_out) << "the gateway started: " << served.output;
    EXPECT_NE(served.exit_code, 0);
    EXPECT_NE(served.output.find(where), std::string::npos) << served.output;
  }

  TempDir dir_{"portcullis-tls-config"};
};

TEST_F(TlsConfigCheckTest, AcceptsMatchingPairsOfEitherType) {
  for (KeyType type : {KeyType::Rsa, KeyType::Ec}) {
    auto files = makeCertificate(dir_, type == KeyType::Rsa ? "rsa" : "ec", type);
    GatewaySettings s = tlsGatewaySettings(tlsSettings(files.certificate, files.key));
    GatewayProcess gateway(dir_ / "gateway", s);
    auto checked = configCheck(gateway);
    EXPECT_EQ(checked.exit_code, 0) << checked.output;
  }
}

TEST_F(TlsConfigCheckTest, RefusesEcKeyWithRsaCertificate) {
  auto rsa = makeCertificate(dir_, "rsa", KeyType::Rsa);
  std::string ec_key = makeKey(dir_, "other", KeyType::Ec);
  expectRefused(tlsSettings(rsa.certificate, ec_key), "key",
                "holds an EC key but the certificate in " + rsa.certificate + " has an RSA key");
}

TEST_F(TlsConfigCheckTest, RefusesRsaKeyWithEcCertificate) {
  auto ec = makeCertificate(dir_, "ec", KeyType::Ec);
  std::string rsa_key = makeKey(dir_, "other", KeyType::Rsa);
  expectRefused(tlsSettings(ec.certificate, rsa_key), "key", "holds an RSA key");
}

TEST_F(TlsConfigCheckTest, RefusesKeyOfAnotherCertificate) {
  auto rsa = makeCertificate(dir_, "rsa", KeyType::Rsa);
  std::string other_key = makeKey(dir_, "other", KeyType::Rsa);
  expectRefused(tlsSettings(rsa.certificate, other_key), "key",
                "does not belong to the certificate in " + rsa.certificate);
}

TEST_F(TlsConfigCheckTest, RefusesUnknownCipherName) {
  auto rsa = makeCertificate(dir_, "rsa", KeyType::Rsa);
  expectRefused(
      tlsSettings(rsa.certificate, rsa.key,
                  "ciphers = \"ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA265\"\n"),
      "ciphers", "\"ECDHE-RSA-AES128-GCM-SHA265\" names no TLS 1.2 cipher");
}

TEST_F(TlsConfigCheckTest, RefusesCipherListTheCertificateCannotUse) {
  auto rsa = makeCertificate(dir_, "rsa", KeyType::Rsa);
  expectRefused(
      tlsSettings(rsa.certificate, rsa.key, "ciphers = \"ECDHE-ECDSA-AES128-GCM-SHA256\"\n"),
      "ciphers", "no TLS 1.2 cipher in the list can be used with the RSA certificate");
}

TEST_F(TlsConfigCheckTest, RefusesOldProtocolVersions) {
  auto rsa = makeCertificate(dir_, "rsa", KeyType::Rsa);
  expectRefused(tlsSettings(rsa.certificate, rsa.key, "protocols = [\"TLSv1\", \"TLSv1.2\"]\n"),
                "protocols", "\"TLSv1\" is not offered");
}

}  // namespace
}  // namespace portcullis::test
