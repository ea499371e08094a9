// Values listed in a digest are made safe (controls, bidi overrides, bad UTF-8) and cut; header
// text and the body are encoded so nothing can split a header field or exceed line limits.
#include "gateway/digest/digest_text.h"
#include "gateway/mime/transfer_decoding.h"

#include <gtest/gtest.h>

#include <sstream>

namespace portcullis::digest {
namespace {

const std::string kReplacement = "\xEF\xBF\xBD";
const std::string kEllipsis = "\xE2\x80\xA6";

TEST(DigestText, ControlCharactersAreReplaced) {
  EXPECT_EQ(listedText("a\r\nBcc: x@evil.test\x01\x7f", 100),
            "a" + kReplacement + kReplacement + "Bcc: x@evil.test" + kReplacement + kReplacement);
  EXPECT_EQ(listedText("tab\there", 100), "tab" + kReplacement + "here");
  // C1 control (U+0085 NEL) and a right-to-left override.
  EXPECT_EQ(listedText("x\xC2\x85y\xE2\x80\xAEz", 100),
            "x" + kReplacement + "y" + kReplacement + "z");
}

TEST(DigestText, InvalidUtf8IsReplacedValidKept) {
  EXPECT_EQ(listedText("caf\xC3\xA9", 100), "caf\xC3\xA9");
  EXPECT_EQ(listedText("bad\xC3(", 100), "bad" + kReplacement + "(");
  EXPECT_EQ(listedText("\xC0\xAF", 100), kReplacement + kReplacement);  // overlong '/'
  EXPECT_EQ(listedText("\xED\xA0\x80", 100), kReplacement + kReplacement + kReplacement);
}

TEST(DigestText, LongValuesAreCutToTheLimitWithAnEllipsis) {
  EXPECT_EQ(listedText("abcdef", 6), "abcdef");
  EXPECT_EQ(listedText("abcdefg", 6), "abcde" + kEllipsis);
  // Counted in characters, never splitting one.
  std::string umlauts;
  for (int i = 0; i < 10; ++i) umlauts += "\xC3\xBC";
  std::string cut = listedText(umlauts, 4);
  EXPECT_EQ(cut, "\xC3\xBC\xC3\xBC\xC3\xBC" + kEllipsis);
  EXPECT_EQ(listedText(std::string(1 << 20, 'H'), 120).size(), 119 + kEllipsis.size());
}

TEST(DigestText, HeaderTextIsAsciiAndOneFieldOnly) {
  EXPECT_EQ(headerText("Quarantine digest"), "Quarantine digest");
  std::string encoded = headerText(
      "Quarant\xC3\xA4ne-Bericht f\xC3\xBCr bob@example.org und mehr Text "
      "damit es mehrere Worte werden");
  EXPECT_EQ(encoded.rfind("=?utf-8?B?", 0), 0u);
  for (size_t i = 0; i < encoded.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(encoded[i]);
    EXPECT_LT(c, 0x80);
    if (c == '\n') {
      ASSERT_GT(i, 0u);
      EXPECT_EQ(encoded[i - 1], '\r');
      ASSERT_LT(i + 1, encoded.size());
      EXPECT_EQ(encoded[i + 1], ' ');  // folded: a continuation line, never a new field
    }
  }
  EXPECT_NE(encoded.find("\r\n "), std::string::npos);
}

// The project's own MIME decoder reads what the digest wrote.
std::string decodeQp(const std::string& qp) {
  std::string out;
  mime::decodeQuotedPrintable(qp, out, qp.size());
  return out;
}

TEST(DigestText, QuotedPrintableRoundTripsWithShortLines) {
  std::string body =
      "Gr\xC3\xBC\xC3\x9F"
      "e = hello \r\n" +
      std::string(300, 'x') + "\r\nend\t\r\n";
  std::string qp = quotedPrintable(body);
  EXPECT_EQ(decodeQp(qp), body);
  std::istringstream lines(qp);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    EXPECT_LE(line.size(), 76u) << line;
    EXPECT_TRUE(line.empty() || (line.back() != ' ' && line.back() != '\t')) << line;
  }
  EXPECT_TRUE(isPlain7bit("short ascii\r\nlines\r\n"));
  EXPECT_FALSE(isPlain7bit("caf\xC3\xA9\r\n"));
  EXPECT_TRUE(isPlain7bit(std::string(998, 'x') + "\r\n"));
  EXPECT_FALSE(isPlain7bit(std::string(999, 'x') + "\r\n"));
  EXPECT_FALSE(isPlain7bit("bare\nline feed\r\n"));
}

}  // namespace
}  // namespace portcullis::digest
