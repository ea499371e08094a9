// DNS going away while mail flows: with dnsmasq paused (SIGSTOP, so queries time out after the
// configured 300 ms), the gateway still accepts mail, the relayed copy shows temperror for SPF,
// DKIM and DMARC and the DNS-failure symbols of every check, and the timeouts are counted in
// /metrics. When DNS answers again, so do the checks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/auth/auth_environment.h"

namespace portcullis::auth_test {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kQueries = "portcullis_dns_queries_total";
constexpr std::string_view kTimeout = "result=\"timeout\"";

TEST(DnsOutage, MailIsAcceptedWithTemporaryErrorsAndTimeoutsAreCounted) {
  // No cache: every message asks the server, so the outage is seen at once.
  AuthEnvironment env(AuthOptions{
      .dns_keys = "timeout = \"300ms\"\nattempts = 1\ncache_entries = 0\n",
  });
  uint16_t metrics_port = env.metricsPort();
  auto signedMessage = [&](const std::string& subject) {
    return dkimSign(makeMessage("alice@signed.test", subject, "Hello.\r\n"), env.key, "signed.test",
                    "sel");
  };

  std::string before = signedMessage("before the outage");
  ASSERT_EQ(sendMessage(env.gateway.port(), "alice@signed.test", before).code, 250);
  auto first = env.relayed(1);
  ASSERT_TRUE(first) << env.gateway.log();
  ASSERT_EQ(fieldValues(first->data, "Authentication-Results").size(), 1u);
  EXPECT_THAT(fieldValues(first->data, "Authentication-Results").front(),
              HasSubstr("spf=pass smtp.mailfrom=signed.test; dkim=pass"));
  std::string exposition = scrapeMetrics(metrics_port);
  ASSERT_THAT(exposition, HasSubstr(std::string(kQueries))) << exposition;
  double timeouts_before = sumOfSamples(exposition, kQueries, kTimeout);

  env.dns.pause();
  std::string during = signedMessage("during the outage");
  test::SmtpReply reply = sendMessage(env.gateway.port(), "alice@signed.test", during);
  env.dns.resume();
  ASSERT_EQ(reply.code, 250) << reply.text << env.gateway.log();
  auto second = env.relayed(2);
  ASSERT_TRUE(second) << env.gateway.log();
  auto results = fieldValues(second->data, "Authentication-Results");
  ASSERT_EQ(results.size(), 1u) << second->data;
  EXPECT_THAT(results.front(), HasSubstr("spf=temperror smtp.mailfrom=signed.test"));
  EXPECT_THAT(results.front(), HasSubstr("dkim=temperror"));
  EXPECT_THAT(results.front(), HasSubstr("dmarc=temperror"));
  auto status = fieldValues(second->data, "X-Spam-Status");
  ASSERT_EQ(status.size(), 1u) << second->data;
  for (const char* symbol :
       {"SPF_TEMPERROR", "DKIM_TEMPERROR", "DMARC_TEMPERROR", "DNSBL_TEMPFAIL"})
    EXPECT_THAT(status.front(), HasSubstr(symbol));

  double timeouts_after = sumOfSamples(scrapeMetrics(metrics_port), kQueries, kTimeout);
  // At least the SPF record, the DKIM key, the DMARC policy and the DNS list.
  EXPECT_GE(timeouts_after - timeouts_before, 4) << scrapeMetrics(metrics_port);

  // DNS is back: the same message passes again.
  std::string after = signedMessage("after the outage");
  ASSERT_EQ(sendMessage(env.gateway.port(), "alice@signed.test", after).code, 250);
  auto third = env.relayed(3);
  ASSERT_TRUE(third) << env.gateway.log();
  EXPECT_THAT(fieldValues(third->data, "Authentication-Results").front(), HasSubstr("dmarc=pass"));
}

}  // namespace
}  // namespace portcullis::auth_test
