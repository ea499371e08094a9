#include "gateway/smtp/command.h"

#include <gtest/gtest.h>

namespace portcullis::smtp {
namespace {

Extensions all;

TEST(Command, VerbsAreCaseInsensitive) {
  EXPECT_EQ(parseCommand("ehlo client.test").verb, Verb::Ehlo);
  EXPECT_EQ(parseCommand("ehlo client.test").argument, "client.test");
  EXPECT_EQ(parseCommand("StartTLS").verb, Verb::StartTls);
  EXPECT_EQ(parseCommand("XYZZY").verb, Verb::Unknown);
  EXPECT_EQ(parseCommand("DATA  ").argument, "");
}

TEST(Command, MailFromWithParameters) {
  auto r = parseMailFrom("FROM:<a@b.test> SIZE=1000 BODY=8BITMIME RET=HDRS ENVID=abc+2B1", all);
  ASSERT_TRUE(std::holds_alternative<MailFrom>(r));
  auto& m = std::get<MailFrom>(r);
  EXPECT_EQ(m.address, "a@b.test");
  EXPECT_EQ(m.params.size, 1000u);
  EXPECT_EQ(m.params.body, "8BITMIME");
  EXPECT_EQ(m.params.ret, "HDRS");
  EXPECT_EQ(m.params.envid, "abc+2B1");
}

TEST(Command, NullSenderAndSourceRoute) {
  auto r = parseMailFrom("FROM:<>", all);
  ASSERT_TRUE(std::holds_alternative<MailFrom>(r));
  EXPECT_EQ(std::get<MailFrom>(r).address, "");
  auto routed = parseMailFrom("FROM:<@relay.test,@x.test:u@b.test>", all);
  ASSERT_TRUE(std::holds_alternative<MailFrom>(routed));
  EXPECT_EQ(std::get<MailFrom>(routed).address, "u@b.test");
}

TEST(Command, RejectsBadSyntaxWithSpecificCodes) {
  auto bad = [](std::string_view arg) {
    auto r = parseMailFrom(arg, all);
    EXPECT_TRUE(std::holds_alternative<Reply>(r)) << arg;
    return std::holds_alternative<Reply>(r) ? std::get<Reply>(r) : Reply{};
  };
  EXPECT_EQ(bad("FROM:a@b.test").code, 501);
  EXPECT_EQ(bad("FROM:<a@b.test").code, 501);
  EXPECT_EQ(bad("FROM:<a@@b.test>").enhanced, "5.1.7");
  EXPECT_EQ(bad("FROM:<a..b@c.test>").enhanced, "5.1.7");
  EXPECT_EQ(bad("FROM:<a@b.test> FOO=1").code, 555);
  EXPECT_EQ(bad("FROM:<a@b.test> BODY=9BIT").code, 501);
  EXPECT_EQ(bad("FROM:<a@b.test> ENVID=a=b").code, 501);
  EXPECT_EQ(bad("FROM:<" + std::string(65, 'x') + "@b.test>").enhanced, "5.1.7");
  EXPECT_EQ(bad("FROM:<ü@b.test>").enhanced, "5.1.7");  // UTF-8 needs SMTPUTF8
}

TEST(Command, Utf8AddressWithSmtputf8) {
  auto r = parseMailFrom("FROM:<ü@bücher.test> SMTPUTF8", all);
  ASSERT_TRUE(std::holds_alternative<MailFrom>(r));
  EXPECT_TRUE(std::get<MailFrom>(r).params.smtputf8);
}

TEST(Command, QuotedLocalPartMayHoldAngleBracket) {
  auto r = parseRcptTo("TO:<\"odd>name\"@b.test>", all);
  ASSERT_TRUE(std::holds_alternative<Recipient>(r));
  EXPECT_EQ(std::get<Recipient>(r).address, "\"odd>name\"@b.test");
}

TEST(Command, RcptDsnParameters) {
  auto r = parseRcptTo("TO:<u@b.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;u@b.test", all);
  ASSERT_TRUE(std::holds_alternative<Recipient>(r));
  EXPECT_EQ(std::get<Recipient>(r).notify, "SUCCESS,FAILURE");
  EXPECT_EQ(std::get<Recipient>(r).orcpt, "rfc822;u@b.test");
  EXPECT_TRUE(std::holds_alternative<Reply>(parseRcptTo("TO:<u@b.test> NOTIFY=NEVER,DELAY", all)));
  EXPECT_TRUE(std::holds_alternative<Reply>(parseRcptTo("TO:<u@b.test> ORCPT=nosemicolon", all)));
  EXPECT_TRUE(std::holds_alternative<Recipient>(parseRcptTo("TO:<Postmaster>", all)));
  Extensions no_dsn{true, false, true};
  EXPECT_TRUE(std::holds_alternative<Reply>(parseRcptTo("TO:<u@b.test> NOTIFY=NEVER", no_dsn)));
}

TEST(Command, Bdat) {
  auto r = parseBdat("1000 LAST");
  ASSERT_TRUE(std::holds_alternative<BdatArgs>(r));
  EXPECT_EQ(std::get<BdatArgs>(r).size, 1000u);
  EXPECT_TRUE(std::get<BdatArgs>(r).last);
  EXPECT_TRUE(std::holds_alternative<Reply>(parseBdat("-5")));
  EXPECT_TRUE(std::holds_alternative<Reply>(parseBdat("5 FIRST")));
  EXPECT_TRUE(std::holds_alternative<Reply>(parseBdat("99999999999999999999999")));
}

TEST(Command, DomainsAndLiterals) {
  EXPECT_TRUE(isValidDomain("mail.example.org", false));
  EXPECT_TRUE(isValidDomain("[192.0.2.1]", false));
  EXPECT_TRUE(isValidDomain("[IPv6:2001:db8::1]", false));
  EXPECT_FALSE(isValidDomain("[192.0.2.256]", false));
  EXPECT_FALSE(isValidDomain("-bad.example", false));
  EXPECT_FALSE(isValidDomain("a..b", false));
  EXPECT_FALSE(validateHelo("client.test"));
  EXPECT_TRUE(validateHelo(""));
  EXPECT_TRUE(validateHelo("bad\x01name"));
}

}  // namespace
}  // namespace portcullis::smtp

namespace portcullis::smtp {
namespace {

// Found by the fuzzer: a parameter name with a bare CR was echoed into the reply.
TEST(Reply, ControlCharactersFromClientInputNeverReachTheWire) {
  auto r = parseMailFrom("FROM:<a@b.test> X\rY=1", Extensions{});
  ASSERT_TRUE(std::holds_alternative<Reply>(r));
  std::string wire = std::get<Reply>(r).wire();
  EXPECT_EQ(wire.find('\r'), wire.size() - 2);
  EXPECT_EQ(Reply({250, "2.0.0", "a\nb"}).wire(), "250-2.0.0 a\r\n250 2.0.0 b\r\n");
}

}  // namespace
}  // namespace portcullis::smtp
