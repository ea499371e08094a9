#include "gateway/mime/transfer_decoding.h"

#include <gtest/gtest.h>

namespace portcullis::mime {
namespace {

constexpr size_t kNoLimit = 1 << 20;

std::string base64(std::string_view in, DecodeStatus* status = nullptr, size_t max = kNoLimit) {
  std::string out;
  DecodeStatus s = decodeBase64(in, out, max);
  if (status) *status = s;
  return out;
}

std::string qp(std::string_view in, DecodeStatus* status = nullptr, bool header = false) {
  std::string out;
  DecodeStatus s = decodeQuotedPrintable(in, out, kNoLimit, header);
  if (status) *status = s;
  return out;
}

TEST(MimeBase64, DecodesAcrossLineBreaks) {
  DecodeStatus status;
  EXPECT_EQ(base64("SGVs\r\nbG8s\nIHdv\r\ncmxkIQ==\r\n", &status), "Hello, world!");
  EXPECT_FALSE(status.malformed);
  EXPECT_FALSE(status.truncated);
}

TEST(MimeBase64, SkipsGarbageAndReportsIt) {
  DecodeStatus status;
  EXPECT_EQ(base64("SGV*sbG8#", &status), "Hello");
  EXPECT_TRUE(status.malformed);
}

TEST(MimeBase64, StopsAtPadding) {
  EXPECT_EQ(base64("YQ==YmM="), "a");
}

TEST(MimeBase64, LoneTrailingCharacterIsMalformed) {
  DecodeStatus status;
  EXPECT_EQ(base64("YWJjZ", &status), "abc");
  EXPECT_TRUE(status.malformed);
}

TEST(MimeBase64, MissingPaddingIsTolerated) {
  DecodeStatus status;
  EXPECT_EQ(base64("YWI", &status), "ab");
  EXPECT_FALSE(status.malformed);
}

TEST(MimeBase64, StopsAtLimit) {
  DecodeStatus status;
  EXPECT_EQ(base64("SGVsbG8sIHdvcmxkIQ==", &status, 5), "Hello");
  EXPECT_TRUE(status.truncated);
}

TEST(MimeQuotedPrintable, DecodesEscapesAndSoftBreaks) {
  DecodeStatus status;
  EXPECT_EQ(qp("caf=C3=A9 =\r\nau lait\r\nnext=3d\n", &status), "caf\xC3\xA9 au lait\r\nnext=\n");
  EXPECT_FALSE(status.malformed);
}

TEST(MimeQuotedPrintable, StripsTrailingBlanks) {
  EXPECT_EQ(qp("a  \t\nb"), "a\nb");
}

TEST(MimeQuotedPrintable, KeepsBadEscapeLiterally) {
  DecodeStatus status;
  EXPECT_EQ(qp("100=%\n=ZZ", &status), "100=%\n=ZZ");
  EXPECT_TRUE(status.malformed);
}

TEST(MimeQuotedPrintable, HeaderModeUnderscoreIsSpace) {
  EXPECT_EQ(qp("a_b=5F", nullptr, true), "a b_");
  EXPECT_EQ(qp("a_b"), "a_b");
}

TEST(MimeUuencode, DecodesBlock) {
  // "Cat" uuencoded.
  std::string out;
  DecodeStatus status = decodeUuencode("begin 644 cat.txt\n#0V%T\n`\nend\n", out, kNoLimit);
  EXPECT_EQ(out, "Cat");
  EXPECT_FALSE(status.malformed);
}

TEST(MimeUuencode, FindsBlocksInText) {
  std::string text =
      "Hello,\nhere is the file:\n\nbegin 644 cat.txt\n#0V%T\n`\nend\nBye\n"
      "begin the beguine\n";
  std::vector<UuencodedBlock> blocks = findUuencodedBlocks(text);
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].filename, "cat.txt");
  std::string out;
  decodeUuencode(blocks[0].lines, out, kNoLimit);
  EXPECT_EQ(out, "Cat");
}

TEST(MimeUuencode, IgnoresBeginInsideLine) {
  EXPECT_TRUE(findUuencodedBlocks("we begin 644 here\n#0V%T\nend\n").empty());
}

}  // namespace
}  // namespace portcullis::mime
