#include "gateway/smtp/session_state.h"

#include <gtest/gtest.h>

namespace portcullis::smtp {
namespace {

using Request = SessionState::Request;

ProtocolSettings settings(size_t max_errors = 10) {
  ProtocolSettings s;
  s.hostname = "gw.test";
  s.max_message_size = 1000;
  s.max_recipients = 2;
  s.max_errors = max_errors;
  return s;
}

TEST(SessionState, HappyPath) {
  SessionState st(settings());
  EXPECT_EQ(st.greeting().code, 220);
  auto ehlo = st.onLine("EHLO client.test");
  EXPECT_EQ(ehlo.reply.code, 250);
  for (auto ext : {"PIPELINING", "SIZE 1000", "8BITMIME", "ENHANCEDSTATUSCODES", "CHUNKING", "DSN",
                   "SMTPUTF8"}) {
    EXPECT_NE(ehlo.reply.text.find(ext), std::string::npos) << ext;
  }
  EXPECT_EQ(ehlo.reply.text.find("STARTTLS"), std::string::npos);
  auto mail = st.onLine("MAIL FROM:<a@b.test>");
  ASSERT_EQ(mail.request, Request::Mail);
  st.mailAccepted(mail.mail);
  auto rcpt = st.onLine("RCPT TO:<u@local.test>");
  ASSERT_EQ(rcpt.request, Request::Rcpt);
  st.recipientAccepted(rcpt.recipient);
  auto data = st.onLine("DATA");
  EXPECT_EQ(data.request, Request::Data);
  EXPECT_EQ(data.reply.code, 354);
  st.transactionFinished();
  EXPECT_FALSE(st.inTransaction());
  auto quit = st.onLine("QUIT");
  EXPECT_EQ(quit.reply.code, 221);
  EXPECT_TRUE(quit.close);
}

TEST(SessionState, EnforcesCommandOrder) {
  SessionState st(settings());
  EXPECT_EQ(st.onLine("MAIL FROM:<a@b.test>").reply.enhanced, "5.5.1");
  st.onLine("HELO client.test");
  EXPECT_EQ(st.onLine("RCPT TO:<u@local.test>").reply.code, 503);
  EXPECT_EQ(st.onLine("DATA").reply.code, 503);
}

TEST(SessionState, TooManyErrorsDisconnects) {
  SessionState st(settings(3));
  EXPECT_FALSE(st.onLine("BOGUS").close);
  EXPECT_FALSE(st.onLine("BOGUS").close);
  auto third = st.onLine("BOGUS");
  EXPECT_TRUE(third.close);
  EXPECT_EQ(third.reply.code, 421);
}

TEST(SessionState, RecipientLimitAndSizeParameter) {
  SessionState st(settings());
  st.onLine("EHLO c.test");
  EXPECT_EQ(st.onLine("MAIL FROM:<a@b.test> SIZE=1001").reply.enhanced, "5.3.4");
  auto mail = st.onLine("MAIL FROM:<a@b.test> SIZE=999");
  ASSERT_EQ(mail.request, Request::Mail);
  st.mailAccepted(mail.mail);
  st.recipientAccepted(st.onLine("RCPT TO:<a@l.test>").recipient);
  st.recipientAccepted(st.onLine("RCPT TO:<b@l.test>").recipient);
  auto third = st.onLine("RCPT TO:<c@l.test>");
  EXPECT_EQ(third.reply.code, 452);
  EXPECT_EQ(third.reply.enhanced, "4.5.3");
}

TEST(SessionState, BdatNeedsEhloAndRecipients) {
  SessionState st(settings());
  st.onLine("HELO c.test");
  EXPECT_EQ(st.onLine("BDAT 10 LAST").request, Request::BdatDiscard);
  st.onLine("EHLO c.test");
  auto early = st.onLine("BDAT 10");
  EXPECT_EQ(early.request, Request::BdatDiscard);
  EXPECT_EQ(early.reply.code, 503);
  st.mailAccepted(st.onLine("MAIL FROM:<a@b.test>").mail);
  st.recipientAccepted(st.onLine("RCPT TO:<a@l.test>").recipient);
  EXPECT_EQ(st.onLine("BDAT 10").request, Request::Bdat);
  EXPECT_TRUE(st.inBdat());
  EXPECT_EQ(st.onLine("DATA").reply.code, 503);
  auto last = st.onLine("BDAT 0 LAST");
  EXPECT_EQ(last.request, Request::Bdat);
  EXPECT_TRUE(last.bdat.last);
}

TEST(SessionState, StartTlsResetsTheSession) {
  auto s = settings();
  s.tls_available = true;
  s.tls_required = true;
  SessionState st(s);
  auto ehlo = st.onLine("EHLO c.test");
  EXPECT_NE(ehlo.reply.text.find("STARTTLS"), std::string::npos);
  EXPECT_EQ(st.onLine("MAIL FROM:<a@b.test>").reply.code, 530);
  EXPECT_EQ(st.onLine("STARTTLS").request, Request::StartTls);
  st.tlsStarted();
  EXPECT_EQ(st.onLine("MAIL FROM:<a@b.test>").reply.code, 503);  // EHLO again first
  auto again = st.onLine("EHLO c.test");
  EXPECT_EQ(again.reply.text.find("STARTTLS"), std::string::npos);
  EXPECT_EQ(st.onLine("MAIL FROM:<a@b.test>").request, Request::Mail);
}

TEST(SessionState, StartTlsIsAcceptedBeforeEhloAndAfterHelo) {
  auto s = settings();
  s.tls_available = true;
  s.tls_required = true;
  SessionState before_ehlo(s);
  auto first = before_ehlo.onLine("STARTTLS");
  EXPECT_EQ(first.request, Request::StartTls);
  EXPECT_EQ(first.reply.code, 220);

  SessionState after_helo(s);
  EXPECT_EQ(after_helo.onLine("HELO c.test").reply.code, 250);
  EXPECT_EQ(after_helo.onLine("MAIL FROM:<a@b.test>").reply.code, 530);
  auto secured = after_helo.onLine("STARTTLS");
  EXPECT_EQ(secured.request, Request::StartTls);
  EXPECT_EQ(secured.reply.code, 220);
  after_helo.tlsStarted();
  EXPECT_EQ(after_helo.onLine("HELO c.test").reply.code, 250);
  EXPECT_EQ(after_helo.onLine("MAIL FROM:<a@b.test>").request, Request::Mail);
}

TEST(SessionState, StartTlsWithoutCertificateIsNotImplemented) {
  SessionState st(settings());
  EXPECT_EQ(st.onLine("STARTTLS").reply.code, 502);
  st.onLine("EHLO c.test");
  EXPECT_EQ(st.onLine("STARTTLS").reply.code, 502);
}

TEST(SessionState, BinaryMimeNeedsBdat) {
  SessionState st(settings());
  st.onLine("EHLO c.test");
  st.mailAccepted(st.onLine("MAIL FROM:<a@b.test> BODY=BINARYMIME").mail);
  st.recipientAccepted(st.onLine("RCPT TO:<a@l.test>").recipient);
  EXPECT_EQ(st.onLine("DATA").reply.code, 503);
}

}  // namespace
}  // namespace portcullis::smtp
