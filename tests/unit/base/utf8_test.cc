#include "gateway/base/utf8.h"

#include <gtest/gtest.h>

namespace portcullis {
namespace {

std::string encoded(uint32_t cp) {
  std::string out;
  appendCodePoint(cp, out);
  return out;
}

TEST(Utf8Test, EncodesEachLength) {
  EXPECT_EQ(encoded('A'), "A");
  EXPECT_EQ(encoded(0xE9), "\xC3\xA9");
  EXPECT_EQ(encoded(0x20AC), "\xE2\x82\xAC");
  EXPECT_EQ(encoded(0x1F600), "\xF0\x9F\x98\x80");
  EXPECT_EQ(encoded(0x10FFFF), "\xF4\x8F\xBF\xBF");
}

TEST(Utf8Test, NulIsWrittenAsItIs) {
  EXPECT_EQ(encoded(0), std::string(1, '\0'));
}

TEST(Utf8Test, NonScalarValuesBecomeTheReplacementCharacter) {
  const std::string replacement = "\xEF\xBF\xBD";
  EXPECT_EQ(encoded(0xD800), replacement);
  EXPECT_EQ(encoded(0xDFFF), replacement);
  EXPECT_EQ(encoded(0x110000), replacement);
  EXPECT_EQ(encoded(0xFFFFFFFF), replacement);
}

TEST(Utf8Test, Appends) {
  std::string out = "x";
  appendCodePoint(0xE9, out);
  appendCodePoint('y', out);
  EXPECT_EQ(out, "x\xC3\xA9y");
}

}  // namespace
}  // namespace portcullis
