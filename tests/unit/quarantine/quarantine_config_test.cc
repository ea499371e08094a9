#include <gtest/gtest.h>

#include "gateway/quarantine/quarantine_config.h"

namespace portcullis::quarantine {
namespace {

using namespace std::chrono_literals;

QuarantineConfig load(std::string_view toml) {
  return loadQuarantineConfig(config::Document::parseString(toml, "gw.toml"));
}

// The "file:line: message" of the ConfigError `toml` raises, or "" when it loads.
std::string errorOf(std::string_view toml) {
  try {
    load(toml);
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(QuarantineConfig, DefaultsWithoutATable) {
  auto c = load("[server]\nhostname = \"mx\"\n");
  EXPECT_EQ(c.directory, "/var/lib/portcullis/quarantine");
  EXPECT_EQ(c.retention, 30 * 24h);
  EXPECT_EQ(c.expire_interval, 1h);
}

TEST(QuarantineConfig, ReadsEveryValue) {
  auto c =
      load("[quarantine]\ndirectory = \"/srv/q\"\nretention = \"7d\"\nexpire_interval = \"15m\"\n");
  EXPECT_EQ(c.directory, "/srv/q");
  EXPECT_EQ(c.retention, 7 * 24h);
  EXPECT_EQ(c.expire_interval, 15min);
  auto h = load("[quarantine]\nhistory_retention = \"7d\"\nhistory_flush_interval = \"10s\"\n");
  EXPECT_EQ(h.history_retention, 7 * 24h);
  EXPECT_EQ(h.history_flush_interval, 10s);
}

TEST(QuarantineConfig, BadValuesNameFileAndLine) {
  EXPECT_EQ(errorOf("[quarantine]\n\ndirectory = \"relative/q\"\n").rfind("gw.toml:3:", 0), 0u)
      << errorOf("[quarantine]\n\ndirectory = \"relative/q\"\n");
  EXPECT_NE(errorOf("[quarantine]\ndirectory = \"relative/q\"\n").find("absolute"),
            std::string::npos);
  EXPECT_EQ(errorOf("[quarantine]\nretention = \"soon\"\n").rfind("gw.toml:2:", 0), 0u);
  EXPECT_EQ(errorOf("[quarantine]\nretention = \"1s\"\n").rfind("gw.toml:2:", 0), 0u);
  EXPECT_EQ(errorOf("[quarantine]\nretention = 30\n").rfind("gw.toml:2:", 0), 0u);
  EXPECT_EQ(errorOf("[quarantine]\nexpire_interval = \"2d\"\n").rfind("gw.toml:2:", 0), 0u);
  EXPECT_EQ(errorOf("[quarantine]\nretention = \"2h\"\nexpire_interval = \"3h\"\n")
                .rfind("gw.toml:3:", 0),
            0u);
  EXPECT_EQ(errorOf("[quarantine]\nhistory_retention = \"1h\"\n").rfind("gw.toml:2:", 0), 0u);
  EXPECT_EQ(errorOf("[quarantine]\nhistory_flush_interval = \"2h\"\n").rfind("gw.toml:2:", 0), 0u);
  EXPECT_EQ(errorOf("[quarantine]\ndirectroy = \"/srv/q\"\n").rfind("gw.toml:2:", 0), 0u);
  EXPECT_EQ(errorOf("[quarantine]\ndirectory = 5\n").rfind("gw.toml:2:", 0), 0u);
}

}  // namespace
}  // namespace portcullis::quarantine
