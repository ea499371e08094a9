#include "tests/support/postfix_instance.h"

#include <signal.h>

#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "tests/support/loopback.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace portcullis::test {

namespace {

std::string masterCf(uint16_t port) {
  std::ifstream in("/etc/postfix/master.cf");
  std::string out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("smtp ", 0) == 0 && line.find(" inet ") != std::string::npos) continue;
    out += line + "\n";
  }
  out += "127.0.0.1:" + std::to_string(port) + " inet n - n - - smtpd\n";
  return out;
}

}  // namespace

PostfixInstance::PostfixInstance(const std::filesystem::path& dir, uint16_t relay_port)
    : dir_(dir), port_(freeLoopbackPort()), relay_port_(relay_port) {}

PostfixInstance::~PostfixInstance() {
  stop();
}

void PostfixInstance::start() {
  auto conf = dir_ / "conf";
  std::filesystem::create_directories(conf);
  // Postfix's daemons run as user postfix: they must reach the data directory.
  using std::filesystem::perms;
  for (const auto& d : {dir_.parent_path(), dir_}) {
    std::filesystem::permissions(d, perms::group_exec | perms::others_exec,
                                 std::filesystem::perm_options::add);
  }
  std::filesystem::create_directories(dir_ / "queue");
  std::filesystem::create_directories(dir_ / "data");
  writeFile(conf / "main.cf",
            "compatibility_level = 3.6\n"
            "queue_directory = " +
                (dir_ / "queue").string() + "\n" + "data_directory = " + (dir_ / "data").string() +
                "\n" +
                "mail_owner = postfix\n"
                "setgid_group = postdrop\n"
                "myhostname = sender.test\n"
                "inet_interfaces = 127.0.0.1\n"
                "inet_protocols = ipv4\n"
                "mydestination =\n"
                "relay_domains =\n"
                "local_recipient_maps =\n"
                "alias_maps =\n"
                "alias_database =\n"
                "relayhost = [127.0.0.1]:" +
                std::to_string(relay_port_) + "\n" +
                "mynetworks = 127.0.0.0/8\n"
                "smtp_tls_security_level = none\n"
                "smtpd_tls_security_level = none\n"
                "smtputf8_enable = yes\n"
                "queue_run_delay = 1s\n"
                "minimal_backoff_time = 1s\n"
                "maximal_backoff_time = 2s\n"
                "maillog_file_prefixes = /tmp, /var, " +
                dir_.string() + "\n" + "maillog_file = " + (dir_ / "postfix.log").string() + "\n");
  writeFile(conf / "master.cf", masterCf(port_));
  runCommand({"chown", "-R", "postfix", (dir_ / "data").string()});
  auto perms = runCommand({"postfix", "-c", conf.string(), "set-permissions"});
  auto started =
      runCommand({"script", "-qc", "postfix -c " + conf.string() + " start", "/dev/null"});
  if (started.exit_code != 0 || !waitForPort(port_)) {
    throw std::runtime_error("postfix did not start: " + perms.output + started.output + log());
  }
  started_ = true;
}

bool PostfixInstance::waitFlushing(const std::function<bool()>& condition,
                                   std::chrono::seconds limit) const {
  constexpr auto kFlushEvery = std::chrono::seconds(10);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  auto next_flush = std::chrono::steady_clock::now() + kFlushEvery;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= next_flush) {
      runCommand({"postqueue", "-c", (dir_ / "conf").string(), "-f"}, "", std::chrono::seconds(20));
      next_flush = std::chrono::steady_clock::now() + kFlushEvery;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

void PostfixInstance::stop() {
  if (!started_) return;
  started_ = false;
  auto conf = dir_ / "conf";
  runCommand({"postfix", "-c", conf.string(), "stop"}, "", std::chrono::seconds(20));
  std::string pid = readFile(dir_ / "queue" / "pid" / "master.pid");
  if (!pid.empty()) {
    int master = std::atoi(pid.c_str());
    for (int i = 0; i < 100 && master > 0 && ::kill(master, 0) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (master > 0) ::kill(master, SIGKILL);
  }
}

std::string PostfixInstance::log() const {
  return readFile(dir_ / "postfix.log");
}

bool PostfixInstance::waitForLog(std::string_view needle, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (log().find(needle) != std::string::npos) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace portcullis::test
