// [relay]'s modes as the SMTP client and the queue runner take them.
#include "gateway/cli/serve/relay_settings.h"

#include <gtest/gtest.h>

namespace portcullis::cli {
namespace {

config::GatewayConfig loadRelay(const std::string& relay) {
  return config::loadGatewayConfig(config::Document::parseString(
      "[domains]\nlocal = [\"example.org\"]\n[relay]\n" + relay, "test.toml"));
}

TEST(RelaySettings, EachTlsModeReachesTheClient) {
  EXPECT_EQ(relayClientSettings(loadRelay("")).tls, smtp::TlsMode::Opportunistic);
  EXPECT_EQ(relayClientSettings(loadRelay("tls = \"none\"\n")).tls, smtp::TlsMode::None);
  EXPECT_EQ(relayClientSettings(loadRelay("tls = \"required\"\n")).tls, smtp::TlsMode::Required);
}

TEST(RelaySettings, LongLinesAreWrappedOrRefusedAtTheLimit) {
  smtp::LongLinePolicy wrap = longLinePolicy(loadRelay("").relay);
  EXPECT_EQ(wrap.action, smtp::LongLineAction::Wrap);
  EXPECT_EQ(wrap.limit, 998u);
  smtp::LongLinePolicy refuse =
      longLinePolicy(loadRelay("long_lines = \"refuse\"\nline_length_limit = 2000\n").relay);
  EXPECT_EQ(refuse.action, smtp::LongLineAction::Refuse);
  EXPECT_EQ(refuse.limit, 2000u);
  EXPECT_EQ(queueRunnerSettings(loadRelay("long_lines = \"refuse\"\n")).long_lines.action,
            smtp::LongLineAction::Refuse);
}

}  // namespace
}  // namespace portcullis::cli
