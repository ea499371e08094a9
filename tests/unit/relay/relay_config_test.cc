// Reading [relay] line_length_limit and long_lines: the Postfix-like default (wrap at 998) and a
// file:line error for a limit that cannot work.
#include <gtest/gtest.h>

#include "gateway/config/gateway_config.h"

namespace portcullis::config {
namespace {

RelayConfig load(const std::string& relay) {
  std::string text = "[domains]\nlocal = [\"example.org\"]\n\n[relay]\n" + relay;
  return loadGatewayConfig(Document::parseString(text, "test.toml")).relay;
}

std::string errorOf(const std::string& relay) {
  try {
    load(relay);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(RelayLineLengthConfig, DefaultsToWrappingAt998Octets) {
  RelayConfig c = load("");
  EXPECT_EQ(c.line_length_limit, 998u);
  EXPECT_EQ(c.long_lines, LongLines::Wrap);
}

TEST(RelayLineLengthConfig, ReadsItsKeys) {
  RelayConfig c = load("line_length_limit = 2000\nlong_lines = \"refuse\"\n");
  EXPECT_EQ(c.line_length_limit, 2000u);
  EXPECT_EQ(c.long_lines, LongLines::Refuse);
  EXPECT_EQ(load("line_length_limit = 0\n").line_length_limit, 0u);
}

TEST(RelayLineLengthConfig, RefusesLimitsThatCannotWork) {
  EXPECT_NE(errorOf("line_length_limit = 10\n").find("test.toml:5"), std::string::npos)
      << errorOf("line_length_limit = 10\n");
  EXPECT_NE(errorOf("line_length_limit = 0\nlong_lines = \"refuse\"\n").find("long_lines"),
            std::string::npos);
  EXPECT_NE(errorOf("long_lines = \"truncate\"\n"), "");
}

}  // namespace
}  // namespace portcullis::config
