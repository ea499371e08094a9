// The messages a report carries: message/rfc822 attachments (transfer-decoded, nested ones left
// inside their message, at most the limit), or else the inline forward's text.
#include "filters/learning/reported_messages.h"

#include <gtest/gtest.h>

namespace portcullis::learning {
namespace {

const std::string kAttached =
    "From: Spammer <s@spam.test>\r\nSubject: pills\r\n\r\nCheap pills.\r\n";

std::string report(const std::string& parts) {
  return "From: Alice <alice@example.org>\r\nSubject: report\r\nMIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n--outer\r\n"
         "Content-Type: text/plain\r\n\r\nThese are spam.\r\n" +
         parts + "--outer--\r\n";
}

std::string attachment(const std::string& message, const std::string& encoding = "") {
  return "--outer\r\nContent-Type: message/rfc822\r\n" +
         (encoding.empty() ? "" : "Content-Transfer-Encoding: " + encoding + "\r\n") + "\r\n" +
         message;
}

std::vector<std::string> reported(const std::string& raw, size_t max = 20) {
  const mime::Message message = mime::Message::parse(raw);
  return reportedMessages(message, max);
}

TEST(ReportedMessages, EachAttachedMessageOnce) {
  const std::string nested =
      "From: Bob <bob@example.org>\r\nSubject: fwd\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"inner\"\r\n\r\n--inner\r\n"
      "Content-Type: message/rfc822\r\n\r\n" +
      kAttached + "--inner--\r\n";
  auto messages = reported(report(attachment(kAttached) + attachment(nested)));
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_NE(messages[0].find("Subject: pills"), std::string::npos) << messages[0];
  EXPECT_NE(messages[1].find("Subject: fwd"), std::string::npos) << messages[1];
  EXPECT_NE(messages[1].find("Subject: pills"), std::string::npos) << "nested stays inside";
}

TEST(ReportedMessages, Base64EncodedAttachmentIsDecoded) {
  // "Subject: b64\r\n\r\nbody\r\n"
  auto messages = reported(report(attachment("U3ViamVjdDogYjY0DQoNCmJvZHkNCg==\r\n", "base64")));
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].rfind("Subject: b64\r\n\r\nbody", 0), 0u) << messages[0];
}

TEST(ReportedMessages, AtMostTheLimit) {
  EXPECT_EQ(
      reported(report(attachment(kAttached) + attachment(kAttached) + attachment(kAttached)), 2)
          .size(),
      2u);
}

TEST(ReportedMessages, InlineForwardStartsAfterTheForwardLine) {
  auto messages = reported(
      "From: Alice <alice@example.org>\r\nSubject: Fwd: pills\r\n\r\nLook at this.\r\n\r\n"
      "-------- Forwarded Message --------\r\nFrom: Spammer <s@spam.test>\r\nSubject: pills\r\n"
      "\r\nCheap pills.\r\n");
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].rfind("From: Spammer", 0), 0u) << messages[0];
  EXPECT_EQ(messages[0].find("Look at this"), std::string::npos) << messages[0];
}

TEST(ReportedMessages, WithoutAForwardLineTheTextIsTheMessageBody) {
  auto messages = reported(
      "From: Alice <alice@example.org>\r\nSubject: this\r\n\r\n"
      "Hello, cheap pills at http://pills.test/\r\n");
  ASSERT_EQ(messages.size(), 1u);
  // No header section of its own: the text is all body.
  EXPECT_EQ(messages[0].rfind("\nHello, cheap pills", 0), 0u) << messages[0];
  EXPECT_TRUE(reported("From: a@example.org\r\nSubject: empty\r\n\r\n").empty());
}

}  // namespace
}  // namespace portcullis::learning
