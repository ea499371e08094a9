#include "gateway/mime/charset.h"

#include <gtest/gtest.h>

namespace portcullis::mime {
namespace {

std::string convert(std::string_view bytes, std::string_view charset, bool* known = nullptr) {
  std::string out;
  bool ok = appendAsUtf8(bytes, charset, out);
  if (known) *known = ok;
  return out;
}

TEST(MimeCharset, Latin1BecomesUtf8) {
  EXPECT_EQ(convert("caf\xE9", "ISO-8859-1"), "caf\xC3\xA9");
  // Windows-1252 characters in the 0x80-0x9f range, as mail readers read Latin-1.
  EXPECT_EQ(convert("\x93hi\x94", "iso-8859-1"), "\xE2\x80\x9Chi\xE2\x80\x9D");
}

TEST(MimeCharset, Utf8IsKept) {
  EXPECT_EQ(convert("\xE2\x82\xAC 5", "utf-8"), "\xE2\x82\xAC 5");
}

TEST(MimeCharset, StrayBytesInUtf8ReadAsWindows1252) {
  EXPECT_EQ(convert("a\xE9z", "utf-8"), "a\xC3\xA9z");
  EXPECT_EQ(convert("a\xE9z", ""), "a\xC3\xA9z");
}

TEST(MimeCharset, IconvConvertsOtherCharsets) {
  EXPECT_EQ(convert("\xA4", "ISO-8859-15"), "\xE2\x82\xAC");
  // "日本" in ISO-2022-JP.
  EXPECT_EQ(convert("\x1B$BF|K\\\x1B(B", "iso-2022-jp"), "\xE6\x97\xA5\xE6\x9C\xAC");
  EXPECT_EQ(convert("\xC6\xF1", "KOI8-R"), "\xD1\x84\xD0\xAF");
}

TEST(MimeCharset, QuotedAndAliasedNames) {
  EXPECT_EQ(convert("\xB0\xA1", "\"ks_c_5601-1987\""), "\xEA\xB0\x80");
  EXPECT_EQ(convert("\xC4\xE3", "gb2312"), "\xE4\xBD\xA0");
}

TEST(MimeCharset, InvalidSequenceBecomesReplacementCharacter) {
  EXPECT_EQ(convert("a\xFF"
                    "b",
                    "shift_jis"),
            "a\xEF\xBF\xBD"
            "b");
}

TEST(MimeCharset, UnknownCharsetKeepsBytes) {
  bool known = true;
  EXPECT_EQ(convert("ab\xE9", "x-no-such-charset", &known), "ab\xE9");
  EXPECT_FALSE(known);
}

TEST(MimeCharset, Utf8Validation) {
  EXPECT_TRUE(isValidUtf8("plain \xC3\xA9"));
  EXPECT_FALSE(isValidUtf8("\xC3"));
  EXPECT_FALSE(isValidUtf8("\xED\xA0\x80"));  // a surrogate
  EXPECT_FALSE(isValidUtf8("\xC0\xAF"));      // overlong
}

}  // namespace
}  // namespace portcullis::mime
