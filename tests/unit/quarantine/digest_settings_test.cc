// [quarantine.digest]: defaults, validation with file:line, and the tables it needs.
#include "gateway/digest/digest_settings.h"

#include <gtest/gtest.h>

namespace portcullis::digest {
namespace {

using namespace std::chrono_literals;

const std::string kWeb = "[web]\nlisten = \"127.0.0.1:8080\"\n";

std::string toml(const std::string& digest, const std::string& web = kWeb,
                 const std::string& relay = "") {
  return "[domains]\nlocal = [\"example.org\", \"example.net\"]\n[server]\nhostname = "
         "\"gw.example.org\"\n[relay]\n" +
         relay +
         "\n[quarantine]\ndirectory = \"/q\"\n[quarantine.digest]\ntemplate_directory = \"" +
         PORTCULLIS_DIGEST_TEMPLATES + "\"\n" + digest + "\n" + web;
}

std::optional<DigestSettings> load(const std::string& text) {
  auto doc = config::Document::parseString(text, "gw.toml");
  return loadDigestSettings(config::loadGatewayConfig(doc));
}

std::string settingsErrorOf(const std::string& text) {
  try {
    load(text);
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(DigestSettings, DefaultsFromTheGateway) {
  auto s = load(toml(""));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->digest.time_of_day, 7h);
  EXPECT_EQ(s->sender, "postmaster@gw.example.org");
  EXPECT_EQ(s->domains, (std::set<std::string>{"example.org", "example.net"}));
  EXPECT_EQ(s->quarantine_dir, "/q");
  EXPECT_EQ(s->digest.max_messages, 100u);
  EXPECT_EQ(s->digest.settle_time, 5min);
}

TEST(DigestSettings, ValuesAreRead) {
  auto s =
      load(toml("schedule = \"18:45\"\nsender = \"quarantine@example.org\"\nlanguage = \"de\"\n"
                "max_messages = 20\nmax_field_length = 60\nsettle_time = \"0s\"\ndomains = "
                "[\"Example.NET\"]\n"));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->digest.time_of_day, 18h + 45min);
  EXPECT_EQ(s->sender, "quarantine@example.org");
  EXPECT_EQ(s->digest.language, "de");
  EXPECT_EQ(s->digest.max_messages, 20u);
  EXPECT_EQ(s->digest.max_field_length, 60u);
  EXPECT_EQ(s->digest.settle_time, 0ms);
  EXPECT_EQ(s->domains, (std::set<std::string>{"example.net"}));
}

TEST(DigestSettings, OffWhenAbsentOrDisabled) {
  auto doc = config::Document::parseString("[domains]\nlocal = [\"example.org\"]\n", "gw.toml");
  EXPECT_FALSE(loadDigestSettings(config::loadGatewayConfig(doc)));
  EXPECT_FALSE(load(toml("enabled = false\n", "")));
}

TEST(DigestSettings, RefusedWithoutWebInProxyModeAndForOtherDomains) {
  // [quarantine.digest] is at line 9, its first key on line 11.
  std::string no_web = settingsErrorOf(toml("enabled = true\n", ""));
  EXPECT_NE(no_web.find("gw.toml:11"), std::string::npos) << no_web;
  EXPECT_NE(no_web.find("[web]"), std::string::npos) << no_web;
  std::string proxy = settingsErrorOf(toml("", kWeb, "mode = \"proxy\"\n"));
  EXPECT_NE(proxy.find("gw.toml:"), std::string::npos) << proxy;
  EXPECT_NE(proxy.find("spool"), std::string::npos) << proxy;
  std::string other = settingsErrorOf(toml("domains = [\"elsewhere.test\"]\n"));
  EXPECT_NE(other.find("gw.toml:11"), std::string::npos) << other;
  EXPECT_NE(other.find("domains.local"), std::string::npos) << other;
  std::string ephemeral = settingsErrorOf(toml("", "[web]\nlisten = \"127.0.0.1:0\"\n"));
  EXPECT_NE(ephemeral.find("public_url"), std::string::npos) << ephemeral;
}

TEST(DigestSettings, BadValuesNameTheirLine) {
  for (const std::string& bad :
       {std::string("schedule = \"7am\"\n"), std::string("schedule = \"24:00\"\n"),
        std::string("sender = \"a@b>\\r\\nBcc: x@y\"\n"), std::string("language = \"../../etc\"\n"),
        std::string("max_messages = 0\n"), std::string("settle_time = \"2h\"\n"),
        std::string("colour = \"red\"\n")}) {
    std::string e = settingsErrorOf(toml(bad));
    EXPECT_NE(e.find("gw.toml:11"), std::string::npos) << bad << " -> " << e;
  }
  std::string missing = settingsErrorOf(toml("language = \"xx\"\n"));
  EXPECT_NE(missing.find("xx.txt"), std::string::npos) << missing;
}

}  // namespace
}  // namespace portcullis::digest
