// The modes the file spells as strings, read once into enums: Section::choice maps each allowed
// string to its value, falls back when the key is absent, and refuses anything else at the key's
// file:line listing the choices; the gateway's own modes ([limits], [domains], [relay], [log]) are
// read through it.
#include <gtest/gtest.h>

#include "gateway/config/document.h"
#include "gateway/config/gateway_config.h"

namespace portcullis::config {
namespace {

enum class Colour { Red, Green, Blue };

Colour colourOf(const std::string& table) {
  Document doc = Document::parseString("[paint]\n" + table, "paint.toml");
  Section root = doc.root();
  Section paint = *root.sub("paint");
  return paint.choice<Colour>(
      "colour", Colour::Green,
      {{"red", Colour::Red}, {"green", Colour::Green}, {"blue", Colour::Blue}});
}

template <typename Read>
std::string modesErrorOf(Read read) {
  try {
    read();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(SectionChoice, MapsEachAllowedStringToItsValue) {
  EXPECT_EQ(colourOf("colour = \"red\"\n"), Colour::Red);
  EXPECT_EQ(colourOf("colour = \"green\"\n"), Colour::Green);
  EXPECT_EQ(colourOf("colour = \"blue\"\n"), Colour::Blue);
}

TEST(SectionChoice, AnAbsentKeyGivesTheFallback) {
  EXPECT_EQ(colourOf("other = 1\n"), Colour::Green);
}

TEST(SectionChoice, AnythingElseFailsAtItsLineListingTheChoices) {
  EXPECT_EQ(modesErrorOf([] { colourOf("\ncolour = \"mauve\"\n"); }),
            "paint.toml:3: paint.colour: \"mauve\" is not one of \"red\", \"green\", \"blue\"");
  EXPECT_EQ(modesErrorOf([] { colourOf("colour = 3\n"); }),
            "paint.toml:2: paint.colour: expected a string");
}

GatewayConfig loadModes(const std::string& tables) {
  return loadGatewayConfig(
      Document::parseString("[domains]\nlocal = [\"example.org\"]\n" + tables, "test.toml"));
}

TEST(GatewayModes, DefaultsAreRejectNoVerifySpoolOpportunisticWrapText) {
  GatewayConfig c = loadModes("");
  EXPECT_EQ(c.limits.bare_line_ends, BareLineEnds::Reject);
  EXPECT_EQ(c.domains.verify, RecipientVerify::None);
  EXPECT_EQ(c.relay.mode, RelayMode::Spool);
  EXPECT_EQ(c.relay.tls, RelayTls::Opportunistic);
  EXPECT_EQ(c.relay.long_lines, LongLines::Wrap);
  EXPECT_EQ(c.log.format, LogFormat::Text);
}

TEST(GatewayModes, EachModeIsReadIntoItsEnum) {
  GatewayConfig c = loadModes(
      "recipients = [\"a@example.org\"]\nverify = \"list\"\n"
      "[limits]\nbare_line_ends = \"normalize\"\n"
      "[relay]\nmode = \"proxy\"\ntls = \"required\"\nlong_lines = \"refuse\"\n"
      "[log]\nformat = \"json\"\n");
  EXPECT_EQ(c.limits.bare_line_ends, BareLineEnds::Normalize);
  EXPECT_EQ(c.domains.verify, RecipientVerify::List);
  EXPECT_EQ(c.relay.mode, RelayMode::Proxy);
  EXPECT_EQ(c.relay.tls, RelayTls::Required);
  EXPECT_EQ(c.relay.long_lines, LongLines::Refuse);
  EXPECT_EQ(c.log.format, LogFormat::Json);
  EXPECT_EQ(loadModes("verify = \"probe\"\n[relay]\ntls = \"none\"\n").domains.verify,
            RecipientVerify::Probe);
  EXPECT_EQ(loadModes("[relay]\ntls = \"none\"\n").relay.tls, RelayTls::None);
}

TEST(GatewayModes, AnUnknownModeFailsAtItsLine) {
  EXPECT_EQ(modesErrorOf([] { loadModes("[relay]\nmode = \"queue\"\n"); }),
            "test.toml:4: relay.mode: \"queue\" is not one of \"spool\", \"proxy\"");
  EXPECT_EQ(modesErrorOf([] { loadModes("[relay]\ntls = \"maybe\"\n"); }),
            "test.toml:4: relay.tls: \"maybe\" is not one of \"none\", \"opportunistic\", "
            "\"required\"");
  EXPECT_EQ(modesErrorOf([] { loadModes("verify = \"ldap\"\n"); }),
            "test.toml:3: domains.verify: \"ldap\" is not one of \"none\", \"list\", \"probe\"");
  EXPECT_EQ(modesErrorOf([] { loadModes("[limits]\nbare_line_ends = \"keep\"\n"); }),
            "test.toml:4: limits.bare_line_ends: \"keep\" is not one of \"reject\", \"normalize\"");
  EXPECT_EQ(modesErrorOf([] { loadModes("[log]\nformat = \"xml\"\n"); }),
            "test.toml:4: log.format: \"xml\" is not one of \"text\", \"json\"");
  EXPECT_EQ(modesErrorOf([] { loadModes("verify = \"list\"\n"); }),
            "test.toml:3: domains.verify: verify = \"list\" needs domains.recipients");
}

}  // namespace
}  // namespace portcullis::config
