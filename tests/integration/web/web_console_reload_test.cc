// The web console follows a reloaded configuration (SIGHUP): an administrator added to
// [web.users] can log in without a restart, one removed cannot, and a changed listen address is
// logged as needing a restart. curl is the client.
#include <gtest/gtest.h>

#include <regex>

#include "gateway/web/password.h"
#include "tests/support/gateway_process.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace portcullis::test {
namespace {

using namespace std::chrono_literals;

// These tests send no mail: the relay port is never connected to.
constexpr uint16_t kNoRelay = 1;

// The status of a login as `user`, with the login form's cookie and token.
int loginStatus(const std::string& base, const std::filesystem::path& jar, const std::string& user,
                const std::string& password) {
  CommandResult form = runCommand(
      {"curl", "-sS", "--noproxy", "*", "-c", jar.string(), "-b", jar.string(), base + "/login"});
  std::smatch token;
  if (!std::regex_search(form.output, token,
                         std::regex("name=\"login_token\" value=\"([^\"]+)\""))) {
    ADD_FAILURE() << form.output;
    return 0;
  }
  CommandResult posted =
      runCommand({"curl", "-sS", "--noproxy", "*", "-o", "/dev/null", "-w", "%{http_code}", "-c",
                  jar.string(), "-b", jar.string(), "--data-urlencode", "user=" + user,
                  "--data-urlencode", "password=" + password, "--data-urlencode",
                  "login_token=" + token[1].str(), base + "/login"});
  return posted.exit_code == 0 ? std::stoi(posted.output) : 0;
}

std::string usersTable(const std::vector<std::pair<std::string, std::string>>& users) {
  std::string table = "[web.users]\n";
  for (const auto& [user, password] : users) {
    table += user + " = \"" + *web::hashPassword(password) + "\"\n";
  }
  return table;
}

TEST(WebConsoleReload, AdministratorsFollowTheReloadedConfiguration) {
  TempDir dir("web-reload");
  GatewaySettings settings;
  settings.relay_port = kNoRelay;
  const std::string web = "[web]\nlisten = \"127.0.0.1:0\"\n";
  settings.extra = web + usersTable({{"alice", "first secret"}});
  GatewayProcess gateway(dir.path(), settings);
  gateway.start();
  std::smatch port;
  std::string log = gateway.log();
  ASSERT_TRUE(
      std::regex_search(log, port, std::regex("web console on http://127\\.0\\.0\\.1:([0-9]+)/")))
      << log;
  const std::string base = "http://127.0.0.1:" + port[1].str();
  EXPECT_EQ(loginStatus(base, dir.path() / "a.jar", "alice", "first secret"), 303);
  EXPECT_EQ(loginStatus(base, dir.path() / "b.jar", "bob", "second secret"), 401)
      << "not an administrator yet: the form again";

  gateway.settings().extra =
      "[web]\nlisten = \"127.0.0.1:1\"\n" + usersTable({{"bob", "second secret"}});
  gateway.writeConfig();
  size_t from = gateway.logSize();
  gateway.signal(SIGHUP);
  ASSERT_TRUE(gateway.waitForLog("configuration reloaded", 30s, from)) << gateway.log();
  EXPECT_TRUE(gateway.waitForLog("a changed listen takes effect at the next start", 5s, from))
      << gateway.log();
  EXPECT_EQ(loginStatus(base, dir.path() / "c.jar", "bob", "second secret"), 303)
      << "served on the address it was started with";
  EXPECT_EQ(loginStatus(base, dir.path() / "d.jar", "alice", "first secret"), 401);
  EXPECT_EQ(gateway.stop(), 0) << gateway.log();
}

}  // namespace
}  // namespace portcullis::test
