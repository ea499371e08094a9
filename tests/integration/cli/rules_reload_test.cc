// `portcullis rules reload` against a running `portcullis serve`: the edited rule decides the next
// message; with no daemon, or no pid file configured, the command says so and fails.
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

CommandResult reload(const std::filesystem::path& config) {
  return runCommand({portcullisBinary().string(), "rules", "reload", "-c", config.string()});
}

CommandResult sendPhrase(uint16_t port) {
  return runCommand({"swaks", "--server", "127.0.0.1", "--port", std::to_string(port), "--from",
                     "alice@sender.test", "--to", "bob@example.org", "--body",
                     "Look at the purple elephant."});
}

TEST(RulesReload, TheRunningGatewayTakesUpTheEditedRules) {
  TempDir dir("portcullis-reload");
  std::filesystem::create_directories(dir / "rules");
  writeFile(dir / "rules" / "local.cf",
            "body RELOAD_PHRASE /purple elephant/\nscore RELOAD_PHRASE 1\n");
  RecordingMta mta(dir / "mta");
  mta.start();
  GatewaySettings settings;
  settings.relay_port = mta.port();
  settings.server = "pid_file = \"" + (dir / "run" / "portcullis.pid").string() + "\"\n";
  settings.extra = "[checks.content]\nrules = [\"" + (dir / "rules").string() + "\"]\n";
  GatewayProcess gateway(dir / "gateway", settings);
  gateway.start();

  auto accepted = sendPhrase(gateway.port());
  EXPECT_NE(accepted.output.find("<-  250 2.0.0 Ok: queued"), std::string::npos) << accepted.output;

  writeFile(dir / "rules" / "local.cf",
            "body RELOAD_PHRASE /purple elephant/\nscore RELOAD_PHRASE 50\n");
  const size_t before = gateway.logSize();
  auto asked = reload(gateway.configPath());
  ASSERT_EQ(asked.exit_code, 0) << asked.output;
  EXPECT_NE(asked.output.find("reload requested from portcullis (pid " +
                              std::to_string(gateway.pid()) + ")"),
            std::string::npos)
      << asked.output;
  ASSERT_TRUE(gateway.waitForLog("configuration reloaded", 60s, before)) << gateway.log();

  auto rejected = sendPhrase(gateway.port());
  EXPECT_NE(rejected.output.find("550 5.7.1"), std::string::npos) << rejected.output;

  ASSERT_EQ(gateway.stop(), 0);
  EXPECT_FALSE(std::filesystem::exists(dir / "run" / "portcullis.pid"));
  auto no_daemon = reload(gateway.configPath());
  EXPECT_EQ(no_daemon.exit_code, 1) << no_daemon.output;
  EXPECT_NE(no_daemon.output.find("is portcullis serve running with this configuration?"),
            std::string::npos)
      << no_daemon.output;
}

TEST(RulesReload, WithoutAPidFileTheCommandSaysHowToReload) {
  TempDir dir("portcullis-reload");
  writeFile(dir / "portcullis.toml", "[domains]\nlocal = [\"example.org\"]\n");
  auto r = reload(dir / "portcullis.toml");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("sets no server.pid_file"), std::string::npos) << r.output;
}

TEST(RulesReload, AGarbledOrStalePidFileIsNamedAndNothingIsSignalled) {
  TempDir dir("portcullis-reload");
  writeFile(dir / "portcullis.toml",
            "[domains]\nlocal = [\"example.org\"]\n[server]\npid_file = \"" +
                (dir / "p.pid").string() + "\"\n");
  writeFile(dir / "p.pid", "\x01\xffnot a pid\n");
  auto garbled = reload(dir / "portcullis.toml");
  EXPECT_EQ(garbled.exit_code, 1) << garbled.output;
  EXPECT_NE(garbled.output.find("p.pid holds no pid"), std::string::npos) << garbled.output;

  writeFile(dir / "p.pid", "4194303\n");  // above any pid Linux hands out by default
  auto stale = reload(dir / "portcullis.toml");
  EXPECT_EQ(stale.exit_code, 1) << stale.output;
  EXPECT_NE(stale.output.find("which is not running (a stale pid file)"), std::string::npos)
      << stale.output;
}

}  // namespace
}  // namespace portcullis::test
