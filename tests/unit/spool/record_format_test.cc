#include "gateway/spool/record_format.h"

#include <gtest/gtest.h>

namespace portcullis::spool {
namespace {

TEST(RecordFormat, EscapesOnlyPercentAndControls) {
  EXPECT_EQ(escapeValue("a b%c\r\n\x7f\x01é"), "a b%25c%0d%0a%7f%01é");
  std::string out;
  ASSERT_TRUE(unescapeValue("a b%25c%0d%0A%7f%01é", out));
  EXPECT_EQ(out, "a b%c\r\n\x7f\x01é");
}

TEST(RecordFormat, RejectsBadEscapes) {
  std::string out;
  EXPECT_FALSE(unescapeValue("%", out));
  EXPECT_FALSE(unescapeValue("%4", out));
  EXPECT_FALSE(unescapeValue("%zz", out));
  EXPECT_FALSE(unescapeValue("tab\there", out));
}

TEST(RecordFormat, ChecksumCoversEveryByte) {
  std::string content = "MAGIC 1\nkey value\n";
  std::string file = content + checksumLine({content});
  auto ok = verifyChecksum(file);
  ASSERT_TRUE(ok) << ok.error;
  EXPECT_EQ(*ok, content);
  for (size_t i = 0; i < content.size(); ++i) {
    std::string damaged = file;
    damaged[i] ^= 0x01;
    EXPECT_FALSE(verifyChecksum(damaged)) << "flipped byte " << i;
  }
}

TEST(RecordFormat, ReaderReportsLineOfTheProblem) {
  RecordReader reader("MAGIC 1\nkey value\nnovalue\n");
  ASSERT_TRUE(reader.expectMagic("MAGIC 1"));
  std::string key, value;
  ASSERT_TRUE(reader.next(key, value));
  EXPECT_EQ(key, "key");
  EXPECT_EQ(value, "value");
  EXPECT_FALSE(reader.next(key, value));
  EXPECT_EQ(reader.error(), "line 3: expected 'key value'");
}

TEST(RecordFormat, BlobLengthsAreChecked) {
  RecordReader reader("MAGIC 1\nblob 5\nabc\n");
  ASSERT_TRUE(reader.expectMagic("MAGIC 1"));
  std::string key, value;
  ASSERT_TRUE(reader.next(key, value));
  EXPECT_FALSE(reader.blob(value));
  RecordReader huge("MAGIC 1\nblob 18446744073709551615\nabc\n");
  ASSERT_TRUE(huge.expectMagic("MAGIC 1"));
  ASSERT_TRUE(huge.next(key, value));
  EXPECT_FALSE(huge.blob(value));
  EXPECT_FALSE(huge.blob("99999999999999999999999"));
  EXPECT_FALSE(huge.blob("-1"));
}

TEST(RecordFormat, NumbersAreStrict) {
  uint64_t u = 0;
  int64_t s = 0;
  EXPECT_TRUE(parseUnsigned("42", u));
  EXPECT_EQ(u, 42u);
  EXPECT_FALSE(parseUnsigned("", u));
  EXPECT_FALSE(parseUnsigned("+4", u));
  EXPECT_FALSE(parseUnsigned(" 4", u));
  EXPECT_FALSE(parseUnsigned("18446744073709551616", u));
  EXPECT_TRUE(parseSigned("-7", s));
  EXPECT_EQ(s, -7);
  EXPECT_FALSE(parseSigned("-", s));
  EXPECT_FALSE(parseSigned("9223372036854775808", s));
}

}  // namespace
}  // namespace portcullis::spool
