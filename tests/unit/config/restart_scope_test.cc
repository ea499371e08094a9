// A reload names the settings it cannot apply: those read once at start.
#include "gateway/config/restart_scope.h"

#include <gtest/gtest.h>

namespace portcullis::config {
namespace {

using Names = std::vector<std::string>;

Names needingRestart(std::string_view running, std::string_view fresh, bool spool_mode = true) {
  return settingsNeedingRestart(Document::parseString(running, "running.toml"),
                                Document::parseString(fresh, "fresh.toml"), spool_mode);
}

TEST(RestartScope, TheSameFileNeedsNoRestart) {
  constexpr std::string_view kFile =
      "[server]\nlisten = [\"127.0.0.1:25\"]\n[queue]\ndirectory = \"/q\"\n[relay]\nhost = "
      "\"mx\"\n";
  EXPECT_EQ(needingRestart(kFile, kFile), Names{});
}

TEST(RestartScope, SettingsReadAtStartAreNamed) {
  EXPECT_EQ(
      needingRestart("[server]\nio_threads = 1\nhostname = \"a\"\n[queue]\nretry_min = \"5m\"\n",
                     "[server]\nio_threads = 2\nhostname = \"b\"\n[queue]\nretry_min = \"1m\"\n"),
      (Names{"queue.retry_min", "server.io_threads"}));
}

TEST(RestartScope, SettingsEachNewSessionTakesUpAreNot) {
  EXPECT_EQ(needingRestart("[policy]\ntag_threshold = 5.0\n[pipeline]\ncheck_timeout = \"30s\"\n"
                           "[log]\nformat = \"text\"\n[checks.dnsbl]\nzones = [\"a\"]\n",
                           "[policy]\ntag_threshold = 4.0\n[pipeline]\ncheck_timeout = \"10s\"\n"
                           "[log]\nformat = \"json\"\n[checks.dnsbl]\nzones = [\"b\"]\n"),
            Names{});
}

TEST(RestartScope, KeysAddedOrRemovedCountAsChanges) {
  EXPECT_EQ(needingRestart("[dns]\ntimeout = \"2s\"\n", "[metrics]\nlisten = \"127.0.0.1:9\"\n"),
            (Names{"dns.timeout", "metrics.listen"}));
}

TEST(RestartScope, NestedTablesAndArraysCompareWhole) {
  EXPECT_EQ(
      needingRestart("[quarantine.digest]\nhour = 7\n[server]\nlisten = [\"a:1\"]\n",
                     "[quarantine.digest]\nhour = 8\n[server]\nlisten = [\"a:1\", \"b:2\"]\n"),
      (Names{"quarantine.digest", "server.listen"}));
}

TEST(RestartScope, TheQueueRunnerKeepsRelaySettingsOnlyInSpoolMode) {
  constexpr std::string_view kRunning = "[relay]\nhost = \"mx1\"\n";
  constexpr std::string_view kFresh = "[relay]\nhost = \"mx2\"\n";
  EXPECT_EQ(needingRestart(kRunning, kFresh, true), Names{"relay.host"});
  EXPECT_EQ(needingRestart(kRunning, kFresh, false), Names{});
  EXPECT_EQ(needingRestart("[relay]\nmode = \"proxy\"\n", "[relay]\nmode = \"spool\"\n", false),
            Names{"relay.mode"});
}

}  // namespace
}  // namespace portcullis::config
