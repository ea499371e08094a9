// `portcullis rules update` with the real sa-update, offline (`--install` of a local rules
// archive into a scratch update directory): the updated stock rules decide the next message of a
// running `portcullis serve`; a failing or missing sa-update is named and changes nothing.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tests/support/gateway_process.h"
#include "tests/support/recording_mta.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace portcullis::test {
namespace {

using namespace std::chrono_literals;

// An sa-update archive (rules-<version>.tar.gz with its checksum files) holding one rule file
// that scores UPDATE_PHRASE `score`.
std::filesystem::path rulesArchive(const std::filesystem::path& dir, int version, int score) {
  const std::filesystem::path src = dir / ("src-" + std::to_string(version));
  std::filesystem::create_directories(src);
  writeFile(
      src / "90_update_test.cf",
      "body UPDATE_PHRASE /purple elephant/\nscore UPDATE_PHRASE " + std::to_string(score) + "\n");
  const std::filesystem::path archive = dir / ("rules-" + std::to_string(version) + ".tar.gz");
  const std::string name = archive.string();
  const auto made = runCommand({"sh", "-c",
                                "tar -C '" + src.string() + "' -czf '" + name +
                                    "' 90_update_test.cf && sha256sum '" + name +
                                    "' | cut -d' ' -f1 > '" + name + ".sha256' && sha512sum '" +
                                    name + "' | cut -d' ' -f1 > '" + name + ".sha512'"});
  EXPECT_EQ(made.exit_code, 0) << made.output;
  return archive;
}

CommandResult sendPhraseAfterUpdate(uint16_t port) {
  return runCommand({"swaks", "--server", "127.0.0.1", "--port", std::to_string(port), "--from",
                     "alice@sender.test", "--to", "bob@example.org", "--body",
                     "Look at the purple elephant."});
}

CommandResult update(const std::filesystem::path& config, const std::filesystem::path& archive,
                     const std::filesystem::path& update_dir) {
  return runCommand({portcullisBinary().string(), "rules", "update", "-c", config.string(), "--",
                     "--install", archive.string(), "--nogpg", "--updatedir", update_dir.string()},
                    "", 120s);
}

TEST(RulesUpdate, SaUpdatesNewRulesDecideTheNextMessageOfTheRunningGateway) {
  TempDir dir("portcullis-rules-update");
  const std::filesystem::path update_dir = dir / "sa-update";
  const auto first =
      runCommand({"sa-update", "--install", rulesArchive(dir.path(), 100, 1).string(), "--nogpg",
                  "--updatedir", update_dir.string()},
                 "", 120s);
  ASSERT_EQ(first.exit_code, 0) << first.output;

  RecordingMta mta(dir / "mta");
  mta.start();
  GatewaySettings settings;
  settings.relay_port = mta.port();
  settings.server = "pid_file = \"" + (dir / "run" / "portcullis.pid").string() + "\"\n";
  settings.extra = "[checks.content]\nspamassassin_rules = \"" + update_dir.string() + "\"\n";
  GatewayProcess gateway(dir / "gateway", settings);
  gateway.start();

  auto accepted = sendPhraseAfterUpdate(gateway.port());
  EXPECT_NE(accepted.output.find("<-  250 2.0.0 Ok: queued"), std::string::npos) << accepted.output;

  const size_t before = gateway.logSize();
  auto updated = update(gateway.configPath(), rulesArchive(dir.path(), 101, 50), update_dir);
  ASSERT_EQ(updated.exit_code, 0) << updated.output;
  EXPECT_NE(updated.output.find("sa-update installed newer rules"), std::string::npos)
      << updated.output;
  EXPECT_NE(updated.output.find("reload requested from portcullis (pid " +
                                std::to_string(gateway.pid()) + ")"),
            std::string::npos)
      << updated.output;
  ASSERT_TRUE(gateway.waitForLog("configuration reloaded", 60s, before)) << gateway.log();

  auto rejected = sendPhraseAfterUpdate(gateway.port());
  EXPECT_NE(rejected.output.find("550 5.7.1"), std::string::npos) << rejected.output;

  const size_t before_failure = gateway.logSize();
  auto failed = update(gateway.configPath(), dir / "rules-102.tar.gz", update_dir);
  EXPECT_EQ(failed.exit_code, 1) << failed.output;
  EXPECT_NE(failed.output.find("sa-update failed with exit status"), std::string::npos)
      << failed.output;
  EXPECT_EQ(gateway.log().find("configuration reloaded", before_failure), std::string::npos);
  ASSERT_EQ(gateway.stop(), 0);
}

TEST(RulesUpdate, WithoutSaUpdateTheCommandSaysWhatToInstall) {
  TempDir dir("portcullis-rules-update");
  writeFile(dir / "portcullis.toml", "[domains]\nlocal = [\"example.org\"]\n");
  auto r = runCommand({"env", "PATH=" + (dir / "empty").string(), portcullisBinary().string(),
                       "rules", "update", "-c", (dir / "portcullis.toml").string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("sa-update not found on PATH (Debian: apt install spamassassin)"),
            std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace portcullis::test
