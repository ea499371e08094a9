#include "gateway/config/section.h"

#include <gtest/gtest.h>
#include <toml++/toml.h>

namespace portcullis::config {
namespace {

toml::table parse(std::string_view text) {
  return toml::parse(text, std::string_view("test.toml"));
}

TEST(Section, ReadsTypedValuesWithDefaults) {
  auto t = parse("a = \"x\"\nn = 5\nd = \"5m\"\ns = \"10M\"\nlist = [\"p\", \"q\"]\n");
  Section s(&t, "", "test.toml");
  EXPECT_EQ(s.getString("a", "y"), "x");
  EXPECT_EQ(s.getString("missing", "y"), "y");
  EXPECT_EQ(s.getInt("n", 0, 0, 10), 5);
  EXPECT_EQ(s.getDuration("d", {}, {}, std::chrono::hours(1)), std::chrono::minutes(5));
  EXPECT_EQ(s.getSize("s", 0, 0, 1ULL << 40), 10u << 20);
  EXPECT_EQ(s.getStrings("list", {}), (std::vector<std::string>{"p", "q"}));
  EXPECT_NO_THROW(s.finish());
}

TEST(Section, ErrorsNameFileAndLine) {
  auto t = parse("a = 1\n\nn = 50\n");
  Section s(&t, "limits", "test.toml");
  try {
    s.getInt("n", 0, 0, 10);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.line(), 3);
    EXPECT_STREQ(e.what(), "test.toml:3: limits.n: 50 is out of range [0, 10]");
  }
  try {
    s.getString("a", "");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "test.toml:1: limits.a: expected a string");
  }
}

TEST(Section, UnknownKeyIsAnError) {
  auto t = parse("known = 1\ntypo = 2\n");
  Section s(&t, "x", "f.toml");
  s.getInt("known", 0, 0, 5);
  try {
    s.finish();
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "f.toml:2: unknown option \"x.typo\"");
  }
}

TEST(Section, ParsesDurationsAndSizes) {
  EXPECT_EQ(parseDuration("250ms"), std::chrono::milliseconds(250));
  EXPECT_EQ(parseDuration("4h"), std::chrono::hours(4));
  EXPECT_EQ(parseDuration("5d"), std::chrono::hours(120));
  EXPECT_FALSE(parseDuration("5 d"));
  EXPECT_FALSE(parseDuration("h"));
  EXPECT_FALSE(parseDuration("99999999999999999999s"));
  EXPECT_EQ(parseSize("512K"), 512u * 1024);
  EXPECT_FALSE(parseSize("12Q"));
}

}  // namespace
}  // namespace portcullis::config
