// The MIME tree: nesting, preamble/epilogue, embedded messages, broken boundaries, attachments and
// the limits.
#include <gtest/gtest.h>

#include <string>

#include "gateway/mime/message.h"

namespace portcullis::mime {
namespace {

std::string crlf(std::string_view lf) {
  std::string out;
  for (char c : lf) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

const std::string kNested =
    "From sender@example.com Mon Jan  1 00:00:00 2024\n"
    "From: a@example.com\n"
    "Subject: nested\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\n"
    "\n"
    "This is the preamble.\n"
    "--outer\n"
    "Content-Type: multipart/alternative; boundary=inner\n"
    "\n"
    "--inner\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "\n"
    "plain text\n"
    "--inner\n"
    "Content-Type: text/html; charset=utf-8\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "<p>html =C3=A9</p>\n"
    "--inner--\n"
    "--outer\n"
    "Content-Type: application/octet-stream; name=\"data.bin\"\n"
    "Content-Disposition: attachment\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "AAECAw==\n"
    "--outer\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "Subject: inner message\n"
    "Content-Type: text/plain\n"
    "\n"
    "inner body\n"
    "--outer--\n"
    "This is the epilogue.\n";

TEST(MimeMessageStructure, NestedMultipartTree) {
  for (const std::string& raw : {kNested, crlf(kNested)}) {
    Message m = Message::parse(raw);
    ASSERT_EQ(m.parts().size(), 7u);
    const auto& p = m.parts();
    EXPECT_EQ(p[0].content_type, "multipart/mixed");
    EXPECT_EQ(p[0].boundary, "outer");
    EXPECT_EQ(p[0].children, (std::vector<int>{1, 4, 5}));
    EXPECT_EQ(p[0].preamble, "This is the preamble.");
    EXPECT_EQ(std::string(p[0].epilogue).substr(0, 21), "This is the epilogue.");
    EXPECT_EQ(p[1].content_type, "multipart/alternative");
    EXPECT_EQ(p[1].children, (std::vector<int>{2, 3}));
    EXPECT_EQ(p[2].decoded, "plain text");
    EXPECT_EQ(p[2].charset, "us-ascii");
    EXPECT_EQ(p[3].content_type, "text/html");
    EXPECT_EQ(p[3].decoded, "<p>html \xC3\xA9</p>");
    EXPECT_EQ(p[3].text, "\n\nhtml \xC3\xA9\n\n");
    EXPECT_EQ(p[4].decoded, std::string("\x00\x01\x02\x03", 4));
    EXPECT_EQ(p[5].content_type, "message/rfc822");
    EXPECT_EQ(p[6].parent, 5);
    EXPECT_EQ(p[6].depth, 2);
    ASSERT_NE(p[6].headers.find("SUBJECT"), nullptr);
    EXPECT_EQ(p[6].headers.find("subject")->value, "inner message");
    EXPECT_EQ(p[6].decoded, "inner body");
    EXPECT_EQ(m.headers().find("From")->value, "a@example.com");
    EXPECT_EQ(m.anomalies(), 0u);
  }
}

TEST(MimeMessageStructure, RawViewsPointIntoTheBuffer) {
  Message m = Message::parse(kNested);
  EXPECT_TRUE(m.rawHeaderSection().starts_with("From: a@example.com\n"));
  EXPECT_TRUE(m.rawHeaderSection().ends_with("boundary=\"outer\"\n"));
  EXPECT_EQ(m.headers().find("subject")->raw, " nested");
  EXPECT_EQ(m.raw().data(), kNested.data());
}

TEST(MimeMessageStructure, MboxFromLineSkipped) {
  Message m = Message::parse("From x Mon\nSubject: s\n\nbody\n");
  ASSERT_EQ(m.headers().all().size(), 1u);
  EXPECT_EQ(m.headers().all()[0].name, "Subject");
}

TEST(MimeMessageStructure, Attachments) {
  Message m = Message::parse(kNested);
  ASSERT_EQ(m.attachments().size(), 1u);
  const Attachment& a = m.attachments()[0];
  EXPECT_EQ(a.part, 4);
  EXPECT_EQ(a.filename, "data.bin");
  EXPECT_EQ(a.declared_type, "application/octet-stream");
  EXPECT_EQ(a.size, 4u);
  EXPECT_EQ(m.content(a), std::string_view("\x00\x01\x02\x03", 4));
}

TEST(MimeMessageStructure, Rfc2231FilenameWinsOverName) {
  Message m = Message::parse(
      "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
      "Content-Type: application/pdf; name=\"other.pdf\"\n"
      "Content-Disposition: attachment;\n filename*0*=utf-8''r%C3%A9sum;\n filename*1=\"e.pdf\"\n"
      "\n%PDF\n--b--\n");
  ASSERT_EQ(m.attachments().size(), 1u);
  EXPECT_EQ(m.attachments()[0].filename, "r\xC3\xA9sume.pdf");
  EXPECT_EQ(m.parts()[1].disposition, "attachment");
}

TEST(MimeMessageStructure, MissingClosingBoundary) {
  Message m = Message::parse(
      "Content-Type: multipart/mixed; boundary=b\n\n--b\n\nfirst\n--b\n\nsecond, never closed\n");
  ASSERT_EQ(m.parts().size(), 3u);
  EXPECT_EQ(m.parts()[2].decoded, "second, never closed\n");
  EXPECT_TRUE(m.has(Anomaly::MissingBoundary));
}

TEST(MimeMessageStructure, BoundaryNeverAppearsBodyReadAsText) {
  Message m =
      Message::parse("Subject: s\nContent-Type: multipart/mixed; boundary=nothere\n\nJust text.\n");
  ASSERT_EQ(m.parts().size(), 1u);
  EXPECT_EQ(m.parts()[0].content_type, "text/plain");
  EXPECT_TRUE(m.has(Anomaly::MissingBoundary));
  EXPECT_EQ(m.bodyText(), "s\nJust text. ");
}

TEST(MimeMessageStructure, MultipartWithoutBoundaryParameter) {
  Message m = Message::parse("Content-Type: multipart/mixed\n\n--x\n\nhello\n");
  EXPECT_TRUE(m.has(Anomaly::MissingBoundary));
  EXPECT_EQ(m.parts().size(), 1u);
}

TEST(MimeMessageStructure, BoundaryMustStandAloneOnItsLine) {
  // "--bb" and "x--b" are not delimiters of boundary "b"; "--b  " (trailing blanks) is.
  Message m = Message::parse(
      "Content-Type: multipart/mixed; boundary=b\n\n--b  \n\none\n--bb\nx--b\n--b--\n");
  ASSERT_EQ(m.parts().size(), 2u);
  EXPECT_EQ(m.parts()[1].decoded, "one\n--bb\nx--b");
  EXPECT_FALSE(m.has(Anomaly::MissingBoundary));
}

TEST(MimeMessageStructure, InnerPartCutAtOuterBoundary) {
  // The inner multipart never closes; the outer boundary still ends it.
  Message m = Message::parse(
      "Content-Type: multipart/mixed; boundary=outer\n\n--outer\n"
      "Content-Type: multipart/alternative; boundary=inner\n\n--inner\n\ninner text\n"
      "--outer\n\nsecond outer\n--outer--\n");
  ASSERT_EQ(m.parts().size(), 4u);
  EXPECT_EQ(m.parts()[2].decoded, "inner text");
  EXPECT_EQ(m.parts()[3].parent, 0);
  EXPECT_EQ(m.parts()[3].decoded, "second outer");
  EXPECT_TRUE(m.has(Anomaly::MissingBoundary));
}

TEST(MimeMessageStructure, DigestChildrenDefaultToMessage) {
  Message m = Message::parse(
      "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nbody one\n--d--\n");
  ASSERT_EQ(m.parts().size(), 3u);
  EXPECT_EQ(m.parts()[1].content_type, "message/rfc822");
  EXPECT_EQ(m.parts()[2].headers.find("subject")->value, "one");
}

TEST(MimeMessageStructure, Base64EncodedEmbeddedMessage) {
  // "Subject: hi\n\nbody\n" in base64; the Message must stay valid when moved and copied.
  std::string raw =
      "Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"
      "U3ViamVjdDogaGkKCmJvZHkK\n";
  Message original = Message::parse(raw);
  Message moved = std::move(original);
  Message copy = moved;
  for (const Message* m : {&moved, &copy}) {
    ASSERT_EQ(m->parts().size(), 2u);
    EXPECT_EQ(m->parts()[1].headers.find("subject")->raw, " hi");
    EXPECT_EQ(m->parts()[1].raw_body, "body\n");
    EXPECT_EQ(m->parts()[1].decoded, "body\n");
  }
}

TEST(MimeMessageStructure, MissingSubtypeAndBadContentType) {
  EXPECT_EQ(Message::parse("Content-Type: text\n\nx").parts()[0].content_type, "text/plain");
  EXPECT_EQ(Message::parse("Content-Type: ;;;\n\nx").parts()[0].content_type, "text/plain");
  EXPECT_EQ(Message::parse("Content-Type: Image/GIF\n\nx").parts()[0].content_type, "image/gif");
}

TEST(MimeMessageStructure, MalformedHeaderLineFlagged) {
  Message m = Message::parse("Subject: s\nnot a header line\n\nbody\n");
  EXPECT_TRUE(m.has(Anomaly::MalformedHeader));
  EXPECT_EQ(m.parts()[0].decoded, "not a header line\n\nbody\n");
}

TEST(MimeMessageStructure, UuencodedBlockInTextIsAnAttachment) {
  Message m = Message::parse("Subject: s\n\nHere:\n\nbegin 644 cat.txt\n#0V%T\n`\nend\n");
  ASSERT_EQ(m.attachments().size(), 1u);
  EXPECT_EQ(m.attachments()[0].filename, "cat.txt");
  EXPECT_EQ(m.attachments()[0].part, 0);
  EXPECT_EQ(m.content(m.attachments()[0]), "Cat");
}

TEST(MimeMessageStructure, UuencodeTransferEncoding) {
  Message m = Message::parse(
      "Content-Type: application/octet-stream\nContent-Transfer-Encoding: x-uuencode\n\n"
      "begin 644 cat.txt\n#0V%T\n`\nend\n");
  EXPECT_EQ(m.parts()[0].decoded, "Cat");
}

TEST(MimeMessageStructure, BadBase64AndQuotedPrintableFlagged) {
  EXPECT_TRUE(
      Message::parse("Content-Transfer-Encoding: base64\n\nYW*Jj\n").has(Anomaly::BadBase64));
  EXPECT_TRUE(Message::parse("Content-Transfer-Encoding: Quoted-Printable\n\na=zz\n")
                  .has(Anomaly::BadQuotedPrintable));
}

std::string nestedMessages(int levels) {
  std::string raw;
  for (int i = 0; i < levels; ++i) raw += "Content-Type: message/rfc822\n\n";
  raw += "Subject: deepest\n\ntext\n";
  return raw;
}

TEST(MimeMessageLimits, Depth) {
  Limits limits;
  limits.max_depth = 5;
  const std::string raw = nestedMessages(50);
  Message m = Message::parse(raw, limits);
  EXPECT_TRUE(m.has(Anomaly::DepthLimit));
  EXPECT_EQ(m.parts().size(), 6u);
  EXPECT_EQ(m.parts().back().depth, 5);
}

TEST(MimeMessageLimits, VeryDeepNestingDoesNotExhaustTheStack) {
  Limits limits;
  limits.max_depth = 1000000;
  limits.max_parts = 1000000;
  const std::string raw = nestedMessages(100000);
  Message m = Message::parse(raw, limits);
  EXPECT_TRUE(m.has(Anomaly::DepthLimit));
}

TEST(MimeMessageLimits, Parts) {
  std::string raw = "Content-Type: multipart/mixed; boundary=b\n\n";
  for (int i = 0; i < 100; ++i) raw += "--b\n\npart\n";
  raw += "--b--\n";
  Limits limits;
  limits.max_parts = 10;
  Message m = Message::parse(raw, limits);
  EXPECT_TRUE(m.has(Anomaly::PartLimit));
  EXPECT_EQ(m.parts().size(), 10u);
}

TEST(MimeMessageLimits, ZeroLimitsStillGiveARoot) {
  Limits limits;
  limits.max_parts = 0;
  limits.max_depth = 0;
  limits.max_text_bytes = 0;
  limits.max_decoded_bytes = 0;
  Message m = Message::parse(kNested, limits);
  ASSERT_EQ(m.parts().size(), 1u);
  EXPECT_EQ(m.headers().find("subject")->value, "nested");
  EXPECT_TRUE(m.has(Anomaly::DepthLimit));
  EXPECT_TRUE(m.bodyText().empty());
}

TEST(MimeMessageLimits, DecodedBytes) {
  std::string raw = "Content-Type: multipart/mixed; boundary=b\n\n--b\n\n" + std::string(100, 'a') +
                    "\n--b\n\n" + std::string(100, 'b') + "\n--b--\n";
  Limits limits;
  limits.max_decoded_bytes = 150;
  Message m = Message::parse(raw, limits);
  EXPECT_TRUE(m.has(Anomaly::DecodedLimit));
  EXPECT_EQ(m.parts()[1].decoded.size(), 100u);
  EXPECT_EQ(m.parts()[2].decoded.size(), 50u);
}

TEST(MimeMessageLimits, HeaderFields) {
  std::string raw;
  for (int i = 0; i < 50; ++i) raw += "X-H: " + std::to_string(i) + "\n";
  raw += "Subject: late\n\nbody\n";
  Limits limits;
  limits.max_header_fields = 10;
  Message m = Message::parse(raw, limits);
  EXPECT_TRUE(m.has(Anomaly::HeaderLimit));
  EXPECT_EQ(m.headers().all().size(), 10u);
  EXPECT_EQ(m.parts()[0].decoded, "body\n");
}

TEST(MimeMessageLimits, TextBytes) {
  Limits limits;
  limits.max_text_bytes = 100;
  const std::string raw = "Subject: s\n\n" + std::string(1000, 'x') + "\n";
  Message m = Message::parse(raw, limits);
  EXPECT_TRUE(m.has(Anomaly::TextLimit));
  EXPECT_LE(m.bodyText().size(), 100u);
  EXPECT_LE(m.rawBodyText().size(), 100u);
}

TEST(MimeMessageLimits, EmptyAndDegenerateInput) {
  for (std::string_view raw : {"", "\n", "From ", ":", "\r\n\r\n",
                               "Content-Type: multipart/x; "
                               "boundary=\"\"\n\n--\n"}) {
    Message m = Message::parse(raw);
    EXPECT_EQ(m.parts().size(), 1u) << raw;
  }
}

}  // namespace
}  // namespace portcullis::mime
