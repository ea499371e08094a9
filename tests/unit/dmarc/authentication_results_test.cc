// Rendering of the gateway's Authentication-Results field (RFC 8601) and recognition of fields
// that claim our authserv-id, including dkim_verifier's A-R samples.
#include "gateway/pipeline/authentication_results.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "filters/dkim/message_fields.h"
#include "gateway/base/text.h"

namespace portcullis::pipeline {
namespace {

TEST(AuthenticationResults, NoResultsIsNone) {
  EXPECT_EQ(renderAuthenticationResults({}, "mx.example.net"), "mx.example.net; none");
}

TEST(AuthenticationResults, RendersEveryMethod) {
  AuthResults results;
  results.spf = SpfOutcome{"pass", "mailfrom", "example.org", ""};
  results.dkim.push_back(
      {"pass", "example.org", "sel", "@example.org", "rsa-sha256", "", "dGVzdA/+"});
  results.dkim.push_back(
      {"fail", "other.test", "s1", "joe@other.test", "ed25519-sha256", "body hash mismatch"});
  results.dmarc = DmarcOutcome{"pass", "example.org", "reject", "none"};
  EXPECT_EQ(renderAuthenticationResults(results, "mx.example.net"),
            "mx.example.net; spf=pass smtp.mailfrom=example.org; "
            "dkim=pass header.d=example.org header.s=sel header.i=@example.org "
            "header.a=rsa-sha256 header.b=\"dGVzdA/+\"; "  // "/" is a tspecial: quoted
            "dkim=fail reason=\"body hash mismatch\" header.d=other.test header.s=s1 "
            "header.i=joe@other.test header.a=ed25519-sha256; "
            "dmarc=pass (p=reject dis=none) header.from=example.org");
}

TEST(AuthenticationResults, FoldsAndQuotes) {
  AuthResults results;
  results.spf = SpfOutcome{"softfail", "helo", "mail.example.org", "not (really) listed"};
  results.dmarc = DmarcOutcome{"none", "", "", ""};
  EXPECT_EQ(
      renderAuthenticationResults(results, "gw", "\r\n\t"),
      "gw;\r\n\tspf=softfail (not really listed) smtp.helo=mail.example.org;\r\n\tdmarc=none");
  results = {};
  results.dkim.push_back({"pass", "example.org", "a b", "\"odd local\"@example.org", "", ""});
  EXPECT_EQ(renderAuthenticationResults(results, "gw"),
            "gw; dkim=pass header.d=example.org header.s=\"a b\" "
            "header.i=\"\\\"odd local\\\"@example.org\"");
}

TEST(AuthenticationResults, ClaimsAuthservId) {
  EXPECT_TRUE(claimsAuthservId(" mx.example.net; spf=pass", "mx.example.net"));
  EXPECT_TRUE(claimsAuthservId("MX.Example.NET 1; none", "mx.example.net"));
  EXPECT_TRUE(claimsAuthservId(" (forged) mx.example.net;dkim=pass", "mx.example.net"));
  EXPECT_TRUE(claimsAuthservId("\"mx.example.net\"; none", "mx.example.net"));
  EXPECT_FALSE(claimsAuthservId(" foo.mx.example.net; none", "mx.example.net"));
  EXPECT_FALSE(claimsAuthservId(" example.net; none", "mx.example.net"));
  EXPECT_FALSE(claimsAuthservId("", "mx.example.net"));
}

// dkim_verifier's sample with fields from example.net, unrelated.com, foo.example.net and
// fields without an authserv-id: only example.net's claim "example.net".
TEST(AuthenticationResults, ClaimsInDkimVerifierSample) {
  std::ifstream in(std::filesystem::path(PORTCULLIS_SHARED_DIR) /
                   "testdata/dkim/dkim_verifier/arh/multiple_arh-same_and_different_authserv.eml");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text;
  for (char c : ss.str()) {
    if (c == '\n') text.push_back('\r');
    text.push_back(c);
  }
  auto message = dkim::splitMessage(text);
  int fields = 0;
  int claims = 0;
  for (const auto& field : message.fields) {
    if (!iequals(field.name, "Authentication-Results")) continue;
    ++fields;
    if (claimsAuthservId(field.value, "example.net")) ++claims;
  }
  EXPECT_EQ(fields, 7);
  EXPECT_EQ(claims, 4);
}

}  // namespace
}  // namespace portcullis::pipeline
