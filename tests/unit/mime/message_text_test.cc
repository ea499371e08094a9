// What body, rawbody and uri rules see, and decoded headers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gateway/mime/message.h"

namespace portcullis::mime {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;

TEST(MimeMessageText, BodyTextIsSubjectThenParagraphLines) {
  Message m = Message::parse(
      "Subject: =?utf-8?Q?Gro=C3=9Fe?= offer\n\n"
      "Dear friend,\nthis is a wrapped\nparagraph.\n\nSecond   paragraph.\n");
  EXPECT_EQ(m.bodyText(),
            "Gro\xC3\x9F"
            "e offer\nDear friend, this is a wrapped paragraph.\nSecond paragraph. ");
  EXPECT_EQ(m.rawBodyText(),
            "Dear friend,\nthis is a wrapped\nparagraph.\n\nSecond   paragraph.\n");
}

TEST(MimeMessageText, NoSubjectGivesEmptyFirstLine) {
  Message m = Message::parse("From: a@example.com\n\nhello\n");
  EXPECT_EQ(m.bodyText(), "\nhello ");
}

TEST(MimeMessageText, HtmlRenderedForBodyButNotForRawbody) {
  Message m = Message::parse(
      "Subject: s\nContent-Type: text/html; charset=iso-8859-1\n\n"
      "<html><body><p>Caf&eacute; \xE9t\xE9</p><script>evil()</script>"
      "<a href=\"HTTP://Example.COM/x\">click</a></body></html>\n");
  EXPECT_EQ(m.bodyText(), "s\nCaf\xC3\xA9 \xC3\xA9t\xC3\xA9\nclick ");
  EXPECT_THAT(m.rawBodyText(), ::testing::HasSubstr("<script>evil()</script>"));
  EXPECT_THAT(m.rawBodyText(), ::testing::HasSubstr("\xC3\xA9t\xC3\xA9"));
  EXPECT_THAT(m.uris(), Contains("http://example.com/x"));
}

// As in SpamAssassin, the line break before a boundary belongs to the boundary, so consecutive
// parts join into one line.
TEST(MimeMessageText, AlternativePartsBothRendered) {
  Message m = Message::parse(
      "Subject: s\nContent-Type: multipart/alternative; boundary=b\n\n--b\n\nplain version\n"
      "--b\nContent-Type: text/html\n\n<b>html</b> version\n--b--\n");
  EXPECT_EQ(m.bodyText(), "s\nplain version html version");
}

TEST(MimeMessageText, PlainTextThatIsHtmlIsRendered) {
  Message m = Message::parse("Subject: s\n\n<html><body>Hi <b>there</b></body></html>\n");
  EXPECT_EQ(m.bodyText(), "s\nHi there ");
}

TEST(MimeMessageText, AttachmentsAreNotBodyText) {
  Message m = Message::parse(
      "Subject: s\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nvisible\n"
      "--b\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"
      "aGlkZGVu\n--b--\n");
  EXPECT_EQ(m.bodyText(), "s\nvisible");
  EXPECT_EQ(m.parts()[2].decoded, "hidden");
}

TEST(MimeMessageText, UnknownCharsetKeepsBytesAndFlags) {
  Message m = Message::parse("Content-Type: text/plain; charset=x-klingon\n\nqapla\xE9\n");
  EXPECT_TRUE(m.has(Anomaly::UnknownCharset));
  EXPECT_EQ(m.parts()[0].text, "qapla\xE9\n");
}

TEST(MimeMessageText, CharsetConvertedToUtf8) {
  Message m = Message::parse(
      "Content-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: base64\n\n"
      "8NLJ18XU\n");  // "Привет" in KOI8-R
  EXPECT_EQ(m.parts()[0].text, "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
  EXPECT_FALSE(m.has(Anomaly::UnknownCharset));
}

TEST(MimeMessageText, HeadersUnfoldedAndDecoded) {
  Message m = Message::parse(
      "Subject: =?iso-8859-1?B?SGVsbG8g6Q==?=\n =?utf-8?Q?_w=C3=B6rld?=\n"
      "To: \"Bob\"\n\t<bob@example.com>\n\nx");
  EXPECT_EQ(m.headers().find("subject")->value, "Hello \xC3\xA9 w\xC3\xB6rld");
  EXPECT_EQ(m.headers().find("to")->value, "\"Bob\"\t<bob@example.com>");
  EXPECT_EQ(m.headers().find("to")->raw, " \"Bob\"\n\t<bob@example.com>");
  EXPECT_EQ(m.headers().findAll("to").size(), 1u);
  EXPECT_EQ(m.headers().find("cc"), nullptr);
}

TEST(MimeMessageText, BrokenEncodedWordFlagged) {
  EXPECT_TRUE(Message::parse("Subject: =?utf-8?B?***?=\n\nx").has(Anomaly::BadEncodedWord));
  EXPECT_TRUE(Message::parse("Subject: caf\xE9\n\nx").has(Anomaly::EightBitHeader));
}

TEST(MimeMessageText, UrisFromTextAndHtmlWithBase) {
  Message m = Message::parse(
      "Subject: see www.subject-link.com\nContent-Type: multipart/alternative; boundary=b\n\n"
      "--b\n\nGo to http://Text.Example.com/a or mail sales@shop.example.net\n"
      "--b\nContent-Type: text/html\n\n<base href=\"http://base.example.org/d/\">"
      "<a href=\"page.html\">x</a><img src=\"http://%69mg.example.org/i.gif\" alt=\"pic\">"
      "<a href=\"mailto:Boss@Example.ORG\">mail</a>\n--b--\n");
  EXPECT_THAT(m.uris(), Contains("http://base.example.org/d/page.html"));
  EXPECT_THAT(m.uris(), Contains("http://img.example.org/i.gif"));
  EXPECT_THAT(m.uris(), Contains("http://text.example.com/a"));
  EXPECT_THAT(m.uris(), Contains("http://www.subject-link.com"));
  EXPECT_THAT(m.uris(), Contains("mailto:sales@shop.example.net"));
  EXPECT_THAT(m.emailAddresses(), ElementsAre("Boss@example.org", "sales@shop.example.net"));
  EXPECT_THAT(m.bodyText(), ::testing::HasSubstr(" pic "));
}

TEST(MimeMessageText, UriLimit) {
  Limits limits;
  limits.max_uris = 3;
  std::string body;
  for (int i = 0; i < 10; ++i) body += "http://host" + std::to_string(i) + ".example.com/\n";
  const std::string raw = "Subject: s\n\n" + body;
  Message m = Message::parse(raw, limits);
  EXPECT_EQ(m.uris().size(), 3u);
  EXPECT_TRUE(m.has(Anomaly::UriLimit));
}

TEST(MimeMessageText, DeliveryStatusIsRawbodyNotBody) {
  Message m = Message::parse(
      "Subject: s\nContent-Type: multipart/report; boundary=b\n\n--b\n\nnotice\n"
      "--b\nContent-Type: message/delivery-status\n\nStatus: 5.0.0\n--b--\n");
  EXPECT_THAT(m.rawBodyText(), ::testing::HasSubstr("Status: 5.0.0"));
  EXPECT_THAT(m.bodyText(), ::testing::Not(::testing::HasSubstr("Status")));
}

}  // namespace
}  // namespace portcullis::mime
