// SMTP smuggling (CVE-2023-51764 and relatives): a DATA section whose body holds a non-standard
// end-of-data sequence (<LF>.<LF>, <LF>.<CR><LF>, <CR>.<CR>, <CR><LF>.<LF>) followed by a second
// MAIL/RCPT/DATA. The gateway must never see or relay two messages: with the default
// bare_line_ends = "reject" the transaction gets 550 5.5.2; with "normalize" it is one message.
// Both relay modes, since in proxy mode the internal MTA sees the gateway's own DATA stream.
#include <gtest/gtest.h>

#include <ostream>
#include <tuple>

#include "tests/integration/smtp/gateway_under_test.h"
#include "tests/support/loopback.h"

namespace portcullis::test {
namespace {

struct Variant {
  const char* name;
  const char* fake_end;
};

void PrintTo(const Variant& v, std::ostream* os) {
  *os << v.name;
}

const Variant kVariants[] = {
    {"LfDotLf", "\n.\n"},     {"LfDotCrLf", "\n.\r\n"}, {"CrDotCr", "\r.\r"},
    {"CrLfDotLf", "\r\n.\n"}, {"CrDotCrLf", "\r.\r\n"},
};

std::string smugglingData(const Variant& v) {
  return std::string("Subject: first\r\n\r\nfirst body") + v.fake_end +
         "MAIL FROM:<evil@sender.test>\r\n"
         "RCPT TO:<victim@example.org>\r\n"
         "DATA\r\n"
         "Subject: smuggled\r\n\r\nsmuggled body\r\n.\r\n";
}

// Sends the attack in one write (as a pipelining attacker would) and returns every reply the
// gateway sends until QUIT is answered.
std::vector<SmtpReply> attack(uint16_t port, const Variant& v) {
  RawSmtpConnection c(port);
  std::vector<SmtpReply> replies;
  replies.push_back(c.readReply());
  replies.push_back(c.command("EHLO attacker.test"));
  replies.push_back(c.command("MAIL FROM:<attacker@sender.test>"));
  replies.push_back(c.command("RCPT TO:<target@example.org>"));
  replies.push_back(c.command("DATA"));
  c.send(smugglingData(v) + "QUIT\r\n");
  for (;;) {
    SmtpReply r = c.readReply();
    if (r.code == 0) break;
    replies.push_back(r);
    if (r.code == 221) break;
  }
  return replies;
}

class SmugglingTest : public ::testing::TestWithParam<std::tuple<std::string, Variant>> {};

TEST_P(SmugglingTest, RejectModeRefusesWith550AndDeliversNothing) {
  auto [mode, variant] = GetParam();
  GatewaySettings s;
  s.mode = mode;
  GatewayUnderTest env(s);
  auto replies = attack(env.gateway.port(), variant);
  ASSERT_GE(replies.size(), 6u);
  EXPECT_EQ(replies[4].code, 354);
  EXPECT_EQ(replies[5].code, 550) << replies[5].text;
  EXPECT_NE(replies[5].text.find("5.5.2"), std::string::npos) << replies[5].text;
  for (size_t i = 6; i < replies.size(); ++i) {
    EXPECT_NE(replies[i].code, 354) << "a smuggled DATA was started: " << replies[i].text;
  }
  ASSERT_TRUE(sendSentinelAndWait(env, 1)) << env.gateway.log();
  auto messages = env.recorder.messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].data.find("smuggled"), std::string::npos);
  EXPECT_EQ(messages[0].rcpt_tos, std::vector<std::string>{"sentinel@example.org"});
}

TEST_P(SmugglingTest, NormalizeModeDeliversOneMessage) {
  auto [mode, variant] = GetParam();
  GatewaySettings s;
  s.mode = mode;
  s.limits = "bare_line_ends = \"normalize\"\n";
  GatewayUnderTest env(s);
  auto replies = attack(env.gateway.port(), variant);
  ASSERT_GE(replies.size(), 6u);
  EXPECT_EQ(replies[5].code, 250) << replies[5].text;
  for (size_t i = 6; i < replies.size(); ++i) {
    EXPECT_NE(replies[i].code, 354) << "a smuggled DATA was started: " << replies[i].text;
  }
  ASSERT_TRUE(sendSentinelAndWait(env, 2)) << env.gateway.log();
  auto messages = env.recorder.messages();
  ASSERT_EQ(messages.size(), 2u);
  size_t attack_messages = 0;
  for (const auto& m : messages) {
    EXPECT_EQ(m.rcpt_tos.size(), 1u);
    EXPECT_NE(m.rcpt_tos.at(0), "victim@example.org") << "smuggled message delivered";
    if (m.rcpt_tos.at(0) == "target@example.org") {
      ++attack_messages;
      EXPECT_NE(m.data.find("smuggled body"), std::string::npos)
          << "the smuggled part belongs to the one message: " << m.data;
      for (size_t i = 0; i < m.data.size(); ++i) {
        bool bare_lf = m.data[i] == '\n' && (i == 0 || m.data[i - 1] != '\r');
        bool bare_cr = m.data[i] == '\r' && (i + 1 == m.data.size() || m.data[i + 1] != '\n');
        ASSERT_FALSE(bare_lf || bare_cr) << "bare line end at " << i << " in " << m.data;
      }
    }
  }
  EXPECT_EQ(attack_messages, 1u);
}

INSTANTIATE_TEST_SUITE_P(ModesAndSequences, SmugglingTest,
                         ::testing::Combine(::testing::Values("spool", "proxy"),
                                            ::testing::ValuesIn(kVariants)),
                         [](const auto& info) {
                           return std::get<0>(info.param) + "_" + std::get<1>(info.param).name;
                         });

}  // namespace
}  // namespace portcullis::test
