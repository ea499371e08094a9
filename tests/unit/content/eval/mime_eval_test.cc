// Tests of the mime eval family (filters/content/eval/mime_eval.cc), the parser flags it reads
// (mime_parse_flags.cc) and SpamAssassin's reading of Content-Type (sa_mime_parts.cc).
#include <gtest/gtest.h>

#include <string>

#include "filters/content/eval/sa_mime_parts.h"
#include "tests/unit/content/eval/eval_test_support.h"

namespace portcullis::content {
namespace {

using testing::compileText;
using testing::disabledReason;
using testing::scanWith;

constexpr const char* kMimeRules = R"(
body MIME_HTML_ONLY eval:check_for_mime_html_only()
body MIME_HTML eval:check_for_mime_html()
body MIME_HTML_MOSTLY eval:check_mime_multipart_ratio('0.00','0.01')
rawbody MIME_QP_LONG_LINE eval:check_for_mime('mime_qp_long_line')
rawbody MIME_BASE64_TEXT eval:check_for_mime('mime_base64_encoded_text')
rawbody MIME_BASE64 eval:check_for_mime('mime_base64_count')
rawbody MIME_QP eval:check_for_mime('mime_qp_count')
rawbody MIME_MISSING_BOUNDARY eval:check_for_mime('mime_missing_boundary')
body MIME_ATTACHMENT eval:check_for_mime('mime_attachment')
body MIME_BAD_ISO_CHARSET eval:check_for_mime('mime_bad_iso_charset')
body BASE64_LENGTH_78_79 eval:check_base64_length('78','79')
body BASE64_LENGTH_79_INF eval:check_base64_length('79')
body FAKE_ASCII eval:check_for_ascii_text_illegal()
body TOO_MUCH_UNICODE eval:check_abundant_unicode_ratio(0.02)
body UPPERCASE_75_100 eval:check_for_uppercase('75', '100')
body UPPERCASE_0_25 eval:check_for_uppercase('0', '25')
body MA_NON_TEXT eval:check_ma_non_text()
body MIME_HB_SEP eval:check_msg_parse_flags('missing_mime_head_body_separator')
body MIME_EPI eval:check_msg_parse_flags('mime_epilogue_exists')
body MIME_NO_HEADERS eval:check_msg_parse_flags('missing_mime_headers')
header HB_SEP eval:check_msg_parse_flags('missing_head_body_separator')
header HEAD_LONG eval:check_msg_parse_flags('truncated_header')
body FARAWAY eval:check_for_faraway_charset()
)";

std::string mimeAlternative(const std::string& text, const std::string& html,
                            const std::string& epilogue = "") {
  return "From: a@example.com\nSubject: hello\nMIME-Version: 1.0\n"
         "Content-Type: multipart/alternative; boundary=\"b1\"\n\n"
         "preamble\n--b1\nContent-Type: text/plain; charset=us-ascii\n\n" +
         text + "\n--b1\nContent-Type: text/html; charset=us-ascii\n\n" + html + "\n--b1--\n" +
         epilogue;
}

TEST(MimeEval, HtmlOnlyAgainstAlternatives) {
  auto rules = compileText(kMimeRules);
  auto html = scanWith(*rules, "From: a@example.com\nContent-Type: text/html\n\n<p>Buy now</p>\n");
  EXPECT_TRUE(html.hit("MIME_HTML_ONLY"));
  EXPECT_TRUE(html.hit("MIME_HTML"));
  EXPECT_EQ(html.hits["MIME_HTML_ONLY"], "Content-Type: text/html");

  auto both = scanWith(*rules, mimeAlternative("Buy now", "<p>Buy now</p>"));
  EXPECT_FALSE(both.hit("MIME_HTML_ONLY"));
  EXPECT_TRUE(both.hit("MIME_HTML"));

  auto plain = scanWith(*rules, "From: a@example.com\nSubject: x\n\nJust text\n");
  EXPECT_FALSE(plain.hit("MIME_HTML_ONLY"));
  EXPECT_FALSE(plain.hit("MIME_HTML"));
}

TEST(MimeEval, HtmlOnlyInsideMixed) {
  auto rules = compileText(kMimeRules);
  const std::string message =
      "From: a@example.com\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\n"
      "Content-Type: text/html\n\n<b>hi</b>\n--zz\nContent-Type: application/pdf\n"
      "Content-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=a.pdf\n\n"
      "JVBERi0xLjQK\n--zz--\n";
  auto scanned = scanWith(*rules, message);
  EXPECT_TRUE(scanned.hit("MIME_HTML_ONLY"));
  EXPECT_EQ(scanned.hits["MIME_HTML_ONLY"], "1 text/html part(s)");
  EXPECT_TRUE(scanned.hit("MIME_ATTACHMENT"));
  EXPECT_TRUE(scanned.hit("MIME_BASE64"));
  EXPECT_FALSE(scanned.hit("MIME_BASE64_TEXT"));  // not text
}

TEST(MimeEval, HtmlMostlyComparesTheAlternativesSizes) {
  auto rules = compileText(kMimeRules);
  const std::string big_html = "<p>" + std::string(2000, 'x') + "</p>";
  EXPECT_TRUE(scanWith(*rules, mimeAlternative("", big_html)).hit("MIME_HTML_MOSTLY"));
  EXPECT_TRUE(scanWith(*rules, mimeAlternative("x", big_html)).hit("MIME_HTML_MOSTLY"));
  EXPECT_FALSE(
      scanWith(*rules, mimeAlternative(std::string(100, 'y'), big_html)).hit("MIME_HTML_MOSTLY"));
  // Not multipart/alternative: the ratio stays 1.
  EXPECT_FALSE(
      scanWith(*rules, "Content-Type: text/html\n\n" + big_html + "\n").hit("MIME_HTML_MOSTLY"));
}

TEST(MimeEval, QuotedPrintableLongLines) {
  auto rules = compileText(kMimeRules);
  auto message = [](size_t length) {
    return "From: a@example.com\nContent-Type: text/plain\n"
           "Content-Transfer-Encoding: quoted-printable\n\n" +
           std::string(length, 'a') + "\nshort line=20\n";
  };
  auto long_line = scanWith(*rules, message(79));
  EXPECT_TRUE(long_line.hit("MIME_QP_LONG_LINE"));
  EXPECT_FALSE(scanWith(*rules, message(78)).hit("MIME_QP_LONG_LINE"));
  // Only the =20 at the end of a line: no excess escape, so no QP count either.
  auto trailing_only = scanWith(*rules,
                                "Content-Type: text/plain\nContent-Transfer-Encoding: "
                                "quoted-printable\n\nline=20\n");
  EXPECT_FALSE(trailing_only.hit("MIME_QP"));
  auto excess = scanWith(*rules,
                         "Content-Type: text/plain\nContent-Transfer-Encoding: "
                         "quoted-printable\n\n=48=49 there\n");
  EXPECT_TRUE(excess.hit("MIME_QP"));
  EXPECT_EQ(excess.hits["MIME_QP"], "mime_qp_count = 2");
}

TEST(MimeEval, Base64Text) {
  auto rules = compileText(kMimeRules);
  const std::string head = "From: a@example.com\nContent-Type: text/plain";
  const std::string body = "\nContent-Transfer-Encoding: base64\n\naGVsbG8gd29ybGQ=\n";
  EXPECT_TRUE(scanWith(*rules, head + body).hit("MIME_BASE64_TEXT"));
  EXPECT_TRUE(scanWith(*rules, head + "; charset=us-ascii" + body).hit("MIME_BASE64_TEXT"));
  EXPECT_FALSE(scanWith(*rules, head + "; charset=utf-8" + body).hit("MIME_BASE64_TEXT"));
  EXPECT_FALSE(
      scanWith(*rules, head + "\nContent-Disposition: inline" + body).hit("MIME_BASE64_TEXT"));
}

TEST(MimeEval, Base64LineLength) {
  auto rules = compileText(kMimeRules);
  auto message = [](size_t length) {
    return "From: a@example.com\nContent-Type: application/octet-stream\n"
           "Content-Transfer-Encoding: base64\n\n" +
           std::string(length, 'Q') + "\nQUFB\n";
  };
  // Lengths count the line break, as SpamAssassin does.
  EXPECT_FALSE(scanWith(*rules, message(76)).hit("BASE64_LENGTH_78_79"));
  auto at_78 = scanWith(*rules, message(77));
  EXPECT_TRUE(at_78.hit("BASE64_LENGTH_78_79"));
  EXPECT_EQ(at_78.hits["BASE64_LENGTH_78_79"], "base64 line of 78 bytes");
  EXPECT_FALSE(at_78.hit("BASE64_LENGTH_79_INF"));
  auto long_line = scanWith(*rules, message(500));
  EXPECT_TRUE(long_line.hit("BASE64_LENGTH_79_INF"));
  EXPECT_FALSE(long_line.hit("BASE64_LENGTH_78_79"));
}

TEST(MimeEval, MalformedBase64IsMeasuredNotDecoded) {
  auto rules = compileText(kMimeRules);
  const std::string message =
      "From: a@example.com\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n"
      "!!!not*base64***" +
      std::string(90, '=') + "\n\x01\x02\xff\n";
  auto scanned = scanWith(*rules, message);
  EXPECT_TRUE(scanned.hit("MIME_BASE64_TEXT"));
  EXPECT_TRUE(scanned.hit("BASE64_LENGTH_79_INF"));
  EXPECT_TRUE(scanned.hit("MIME_BASE64"));
}

TEST(MimeEval, MissingBoundaryAndEpilogue) {
  auto rules = compileText(kMimeRules);
  auto closed = scanWith(*rules, mimeAlternative("text", "<p>text</p>"));
  EXPECT_FALSE(closed.hit("MIME_MISSING_BOUNDARY"));
  EXPECT_FALSE(closed.hit("MIME_EPI"));
  EXPECT_FALSE(closed.hit("MIME_NO_HEADERS"));

  EXPECT_TRUE(
      scanWith(*rules, mimeAlternative("t", "<p>t</p>", "trailing words\n")).hit("MIME_EPI"));
  EXPECT_FALSE(scanWith(*rules, mimeAlternative("t", "<p>t</p>", "\n.\n  \n")).hit("MIME_EPI"));

  const std::string unclosed =
      "From: a@example.com\nContent-Type: multipart/mixed; boundary=\"q\"\n\n--q\n"
      "Content-Type: text/plain\n\nnever closed\n";
  auto open = scanWith(*rules, unclosed);
  EXPECT_TRUE(open.hit("MIME_MISSING_BOUNDARY"));
  EXPECT_EQ(open.hits["MIME_MISSING_BOUNDARY"], "mime_missing_boundary");
}

TEST(MimeEval, PartHeaderFlags) {
  auto rules = compileText(kMimeRules);
  const std::string no_separator =
      "From: a@example.com\nContent-Type: multipart/mixed; boundary=\"q\"\n\n--q\n"
      "Content-Type: text/plain\nbody right after the header\n--q--\n";
  EXPECT_TRUE(scanWith(*rules, no_separator).hit("MIME_HB_SEP"));
  const std::string no_headers =
      "From: a@example.com\nContent-Type: multipart/mixed; boundary=\"q\"\n\n--q\n"
      "just text, no header\n--q--\n";
  EXPECT_TRUE(scanWith(*rules, no_headers).hit("MIME_NO_HEADERS"));
  EXPECT_FALSE(scanWith(*rules, mimeAlternative("a", "<p>a</p>")).hit("MIME_HB_SEP"));
}

TEST(MimeEval, HeaderSectionFlags) {
  auto rules = compileText(kMimeRules);
  EXPECT_TRUE(scanWith(*rules, "From: a@example.com\nSubject: no body").hit("HB_SEP"));
  EXPECT_FALSE(scanWith(*rules, "From: a@example.com\nSubject: x\n\nbody\n").hit("HB_SEP"));
  const std::string long_value = "X-Long: " + std::string(9000, 'a') + "\n";
  EXPECT_TRUE(scanWith(*rules, "From: a@example.com\n" + long_value + "\nbody\n").hit("HEAD_LONG"));
  EXPECT_FALSE(scanWith(*rules, "From: a@example.com\n\nbody\n").hit("HEAD_LONG"));
  std::string many;  // each field short enough, all together over 64 KiB
  for (int i = 0; i < 10; ++i) many += "X-Part: " + std::string(7000, 'b') + "\n";
  EXPECT_TRUE(scanWith(*rules, "From: a@example.com\n" + many + "\nbody\n").hit("HEAD_LONG"));
}

TEST(MimeEval, AsciiTextIllegalAndUnicodeEscapes) {
  auto rules = compileText(kMimeRules);
  auto eight_bit = scanWith(*rules, "From: a@example.com\nSubject: x\n\ncaf\xe9 au lait\n");
  EXPECT_TRUE(eight_bit.hit("FAKE_ASCII"));
  EXPECT_EQ(eight_bit.hits["FAKE_ASCII"], "1 non-ASCII line(s) in us-ascii");
  EXPECT_FALSE(scanWith(*rules,
                        "From: a@example.com\nContent-Type: text/plain; charset=iso-8859-1\n\n"
                        "caf\xe9\n")
                   .hit("FAKE_ASCII"));

  std::string escapes;
  for (int i = 0; i < 10; ++i) escapes += "&#x0411;";
  EXPECT_TRUE(scanWith(*rules, "Subject: x\n\n" + escapes + " text\n").hit("TOO_MUCH_UNICODE"));
  EXPECT_FALSE(scanWith(*rules, "Subject: x\n\n&#x0411;" + std::string(200, 'a') + "\n")
                   .hit("TOO_MUCH_UNICODE"));
}

TEST(MimeEval, Uppercase) {
  auto rules = compileText(kMimeRules);
  std::string shouting;
  for (int i = 0; i < 20; ++i) shouting += "BUY THESE SHARES NOW ";
  auto loud = scanWith(*rules, "Subject: hi\n\n" + shouting + "\n");
  EXPECT_TRUE(loud.hit("UPPERCASE_75_100"));
  EXPECT_FALSE(loud.hit("UPPERCASE_0_25"));
  std::string calm;
  for (int i = 0; i < 20; ++i) calm += "A calm letter to you ";
  auto quiet = scanWith(*rules, "Subject: hi\n\n" + calm + "\n");
  EXPECT_FALSE(quiet.hit("UPPERCASE_75_100"));
  EXPECT_TRUE(quiet.hit("UPPERCASE_0_25"));
  // Too short to judge.
  EXPECT_FALSE(scanWith(*rules, "Subject: hi\n\nBUY NOW\n").hit("UPPERCASE_75_100"));
  // A charset known to read as capitals.
  EXPECT_FALSE(scanWith(*rules, "Content-Type: text/plain; charset=koi8-r\nSubject: hi\n\n" +
                                    shouting + "\n")
                   .hit("UPPERCASE_75_100"));
}

TEST(MimeEval, MultipartAlternativeWithNonText) {
  auto rules = compileText(kMimeRules);
  const std::string message =
      "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\nx\n"
      "--b\nContent-Type: application/octet-stream\n\nyyy\n--b--\n";
  auto scanned = scanWith(*rules, message);
  EXPECT_TRUE(scanned.hit("MA_NON_TEXT"));
  EXPECT_EQ(scanned.hits["MA_NON_TEXT"], "multipart/alternative holds application/octet-stream");
  EXPECT_FALSE(scanWith(*rules, mimeAlternative("a", "<p>a</p>")).hit("MA_NON_TEXT"));
}

TEST(MimeEval, BadIsoCharset) {
  auto rules = compileText(kMimeRules);
  EXPECT_TRUE(scanWith(*rules, "Content-Type: text/plain; charset=iso-foo-bar\n\nx\n")
                  .hit("MIME_BAD_ISO_CHARSET"));
  EXPECT_FALSE(scanWith(*rules, "Content-Type: text/plain; charset=iso-8859-1\n\nx\n")
                   .hit("MIME_BAD_ISO_CHARSET"));
  EXPECT_FALSE(scanWith(*rules, "Content-Type: text/plain; charset=iso-2022-jp\n\nx\n")
                   .hit("MIME_BAD_ISO_CHARSET"));
}

TEST(MimeEval, FarawayCharsetFollowsOkLocales) {
  const std::string message =
      "Content-Type: text/plain; charset=koi8-r\nSubject: x\n\n\xf0\xd2\xc9\xd7\xc5\xd4\n";
  EXPECT_FALSE(scanWith(*compileText(kMimeRules), message).hit("FARAWAY"));  // default: all
  auto english = compileText(std::string("ok_locales en\n") + kMimeRules);
  auto scanned = scanWith(*english, message);
  EXPECT_TRUE(scanned.hit("FARAWAY"));
  EXPECT_EQ(scanned.hits["FARAWAY"], "charset koi8-r");
  EXPECT_FALSE(scanWith(*compileText(std::string("ok_locales en ru\n") + kMimeRules), message)
                   .hit("FARAWAY"));
}

TEST(MimeEval, CrlfLineEndsCountAsOneByte) {
  auto rules = compileText(kMimeRules);
  auto message = [](size_t length) {
    return "From: a@example.com\r\nContent-Type: text/plain\r\n"
           "Content-Transfer-Encoding: quoted-printable\r\n\r\n" +
           std::string(length, 'a') + "\r\nend\r\n";
  };
  EXPECT_FALSE(scanWith(*rules, message(78)).hit("MIME_QP_LONG_LINE"));
  EXPECT_TRUE(scanWith(*rules, message(79)).hit("MIME_QP_LONG_LINE"));
  EXPECT_FALSE(scanWith(*rules, message(10)).hit("FAKE_ASCII"));  // the CR of CRLF is no 8-bit
}

TEST(MimeEval, MultipartWhoseBoundaryNeverOccurs) {
  // SpamAssassin still reads it as a multipart/alternative holding one text part.
  auto rules = compileText(std::string(kMimeRules) + R"(
rawbody MULTIPART_ALT eval:check_for_mime('mime_multipart_alternative')
body TEXT_PARTS eval:check_for_mime('mime_body_text_count')
)");
  const std::string message =
      "From: a@example.com\nContent-Type: multipart/alternative; boundary=\"=Part 1\"\n\n"
      "Preamble\n\n--= Part 1\nContent-Type: text/html\n\n<p>x</p>\n--= Part 1--\n";
  auto scanned = scanWith(*rules, message);
  EXPECT_TRUE(scanned.hit("MULTIPART_ALT"));
  EXPECT_TRUE(scanned.hit("TEXT_PARTS"));
  EXPECT_FALSE(scanned.hit("MIME_HTML_ONLY"));
  EXPECT_FALSE(scanned.hit("MIME_MISSING_BOUNDARY"));  // never opened, so never unbalanced
  EXPECT_FALSE(scanned.hit("MIME_HB_SEP"));            // a blank line goes before a message body
}

TEST(MimeEval, BadArgumentsDisableTheRule) {
  auto rules = compileText(R"(
body A eval:check_for_mime('no_such_test')
body B eval:check_msg_parse_flags('no_such_flag')
body C eval:check_mime_multipart_ratio('x','1')
body D eval:check_base64_length()
body E eval:check_abundant_unicode_ratio(2)
)");
  for (const char* name : {"A", "B", "C", "D", "E"})
    EXPECT_NE(disabledReason(*rules, name), "") << name;
  EXPECT_NE(disabledReason(*rules, "A").find("check_for_mime"), std::string::npos);
}

TEST(SaContentType, ReadsAsSpamAssassin) {
  auto ct = parseSaContentType("text/enriched; charset=\"us-ascii\"\n");
  EXPECT_EQ(ct.type, "text/plain");
  EXPECT_EQ(ct.charset.value_or("?"), "us-ascii");
  EXPECT_FALSE(ct.missing);
  EXPECT_EQ(parseSaContentType("TEXT/HTML\n").type, "text/html");
  EXPECT_EQ(parseSaContentType("multipart/mixed; boundary=\"a b\"\n").boundary.value_or(""), "a b");
  EXPECT_EQ(parseSaContentType("image/gif; name=\"x.gif\"\n").name, "x.gif");
  auto missing = parseSaContentType("");
  EXPECT_TRUE(missing.missing);
  EXPECT_EQ(missing.type, "text/plain");
  EXPECT_EQ(missing.charset.value_or(""), "us-ascii");
  // A trailing parameter after a quoted charset stays in it, as with SpamAssassin's regex.
  EXPECT_EQ(
      parseSaContentType("text/plain; charset=\"utf-8\" format=flowed\n").charset.value_or(""),
      "utf-8\" format=flowed");
}

}  // namespace
}  // namespace portcullis::content
