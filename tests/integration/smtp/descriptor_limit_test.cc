// The gateway started with few descriptors (the 1,024 case, scaled down): the real binary runs
// under `prlimit --nofile` with max_connections far above what fits, and more clients connect
// than it has descriptors. It must warn at start, answer the excess with 421 4.3.2, not spin
// (its CPU time and its log stay small) and go on serving once connections close.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/integration/smtp/gateway_under_test.h"
#include "tests/integration/smtp/plain_socket.h"

namespace portcullis::test {
namespace {

using std::chrono::milliseconds;

constexpr int kDescriptorLimit = 128;
constexpr size_t kClients = 300;  // more than the gateway has descriptors
constexpr milliseconds kReplyTimeout{10'000};

// CPU time (user + system) of `pid` in clock ticks, from /proc/PID/stat.
long cpuTicks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  long utime = 0, stime = 0;
  // After the command name: state is field 3 of the file; utime and stime are 14 and 15.
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return utime + stime;
}

size_t countLines(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

// The real gateway (relaying to a recording MTA) started under a descriptor limit.
class LimitedGateway {
 public:
  explicit LimitedGateway(int nofile)
      : dir_("portcullis-fd"), recorder_(dir_ / "recorder"), log_(dir_ / "gateway.log") {
    recorder_.start();
    GatewaySettings settings;
    settings.relay_port = recorder_.port();
    settings.server = "max_connections = 1000\nmax_connections_per_ip = 1000\n";
    std::filesystem::create_directories(dir_ / "gateway");
    writeFile(dir_ / "gateway" / "portcullis.toml", gatewayToml(settings, dir_ / "gateway/spool"));
    std::string limit = "--nofile=" + std::to_string(nofile) + ":" + std::to_string(nofile);
    process_ = ChildProcess::start({"prlimit", limit, "--", portcullisBinary().string(), "serve",
                                    "-c", (dir_ / "gateway" / "portcullis.toml").string()},
                                   log_);
  }

  // Waits for the listening line; false when the gateway exits or it does not come.
  bool waitListening() {
    static const std::regex listening("listening for SMTP on port ([0-9]+)");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline && process_.running()) {
      std::smatch m;
      std::string text = log();
      if (std::regex_search(text, m, listening)) {
        port_ = static_cast<uint16_t>(std::stoi(m[1].str()));
        return true;
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
    return false;
  }

  std::string log() const { return readFile(log_); }
  uint16_t port() const { return port_; }
  pid_t pid() const { return process_.pid(); }
  ChildProcess& process() { return process_; }
  RecordingMta& recorder() { return recorder_; }

 private:
  TempDir dir_;
  RecordingMta recorder_;
  std::filesystem::path log_;
  ChildProcess process_;
  uint16_t port_ = 0;
};

TEST(DescriptorLimitTest, ExcessConnectionsGet421WithoutSpinningAndServiceContinues) {
  LimitedGateway gw(kDescriptorLimit);
  ASSERT_TRUE(gw.waitListening()) << gw.log();
  EXPECT_NE(gw.log().find("DESCRIPTOR LIMIT TOO LOW"), std::string::npos) << gw.log();

  std::vector<PlainSocket> greeted;
  size_t refused = 0, silent = 0;
  std::string odd;
  for (size_t i = 0; i < kClients; ++i) {
    PlainSocket c(gw.port());
    ASSERT_TRUE(c.ok());
    int reads = 0;
    std::string first = c.readReplies(1, kReplyTimeout, reads);
    if (first.rfind("220 ", 0) == 0) {
      greeted.push_back(std::move(c));
    } else if (first.rfind("421 4.3.2 ", 0) == 0) {
      ++refused;
    } else if (first.empty()) {
      ++silent;
    } else {
      odd = first;
    }
  }
  EXPECT_GE(greeted.size(), 20u);
  EXPECT_LT(greeted.size(), static_cast<size_t>(kDescriptorLimit));
  EXPECT_GE(refused, kClients - kDescriptorLimit);
  EXPECT_EQ(silent, 0u) << "connections left without an answer";
  EXPECT_EQ(odd, "");

  // Still exhausted: more clients keep arriving for three seconds. A retrying accept loop would
  // burn a core (300 ticks) and write a line per retry.
  long ticks_before = cpuTicks(gw.pid());
  size_t log_before = gw.log().size();
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  size_t refused_later = 0;
  while (std::chrono::steady_clock::now() < until) {
    PlainSocket c(gw.port());
    int reads = 0;
    if (c.readReplies(1, kReplyTimeout, reads).rfind("421 4.3.2 ", 0) == 0) ++refused_later;
    std::this_thread::sleep_for(milliseconds(100));
  }
  long ticks = cpuTicks(gw.pid()) - ticks_before;
  std::string log = gw.log();
  EXPECT_LT(ticks, 60) << "CPU ticks in 3 s while out of descriptors";
  EXPECT_GE(refused_later, 10u);
  EXPECT_LT(log.size() - log_before, 4096u) << log.substr(log_before);
  EXPECT_GE(countLines(log, "accept failed"), 1u) << log;
  // One line per accept_error_log_interval (10 s by default) at most.
  EXPECT_LE(countLines(log.substr(log_before), "accept failed"), 1u) << log;

  // Sessions end: descriptors are free again, new clients are served and mail flows.
  for (size_t i = 0; i < 30 && !greeted.empty(); ++i) {
    greeted.back().send("QUIT\r\n");
    greeted.pop_back();
  }
  std::this_thread::sleep_for(milliseconds(1'500));  // longer than the longest accept pause
  PlainSocket fresh(gw.port());
  int reads = 0;
  EXPECT_EQ(fresh.readReplies(1, kReplyTimeout, reads).rfind("220 ", 0), 0u) << gw.log();
  fresh.close();
  auto sent = swaks(gw.port(), {"--from", "a@sender.test", "--to", "b@example.org", "--header",
                                "Message-Id: " + uniqueMessageId()});
  EXPECT_EQ(sent.exit_code, 0) << sent.output << gw.log();
  EXPECT_TRUE(gw.recorder().waitForCount(1, kArrivalTimeout)) << gw.log();
}

TEST(DescriptorLimitTest, RefusesToStartWhenNotOneSessionFits) {
  LimitedGateway gw(40);
  EXPECT_FALSE(gw.waitListening());
  auto status = gw.process().wait(std::chrono::seconds(10));
  ASSERT_TRUE(status.has_value());
  EXPECT_NE(*status, 0);
  EXPECT_NE(gw.log().find("too low to serve even one connection"), std::string::npos) << gw.log();
}

}  // namespace
}  // namespace portcullis::test
