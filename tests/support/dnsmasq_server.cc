#include "tests/support/dnsmasq_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace portcullis::test {

namespace {

constexpr const char* kDnsmasq = "/usr/sbin/dnsmasq";
constexpr int kStartAttempts = 5;
constexpr auto kPollInterval = std::chrono::milliseconds(20);
constexpr int kPolls = 250;  // 5 s

// A port the kernel just handed out for UDP on 127.0.0.1 (free for dnsmasq a moment later).
uint16_t ephemeralPort() {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

DnsmasqServer::DnsmasqServer(const std::vector<std::string>& records) {
  char pattern[] = "/tmp/portcullis-dnsmasq-XXXXXX";
  if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  log_ = dir_ / "queries.log";
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    if (start(records)) return;
    stop();
  }
  std::filesystem::remove_all(dir_);
  throw std::runtime_error("dnsmasq did not start");
}

DnsmasqServer::~DnsmasqServer() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

bool DnsmasqServer::start(const std::vector<std::string>& records) {
  port_ = ephemeralPort();
  std::filesystem::path conf = dir_ / "dnsmasq.conf";
  {
    std::ofstream out(conf);
    out << "no-resolv\nno-hosts\nno-daemon\nbind-interfaces\nlisten-address=127.0.0.1\n"
        << "port=" << port_ << "\nlocal=/test/\nlocal-ttl=300\nlog-queries\n"
        << "log-facility=" << log_.string() << "\n";
    for (const auto& record : records) out << record << "\n";
  }
  std::string conf_arg = "--conf-file=" + conf.string();
  pid_ = fork();
  if (pid_ < 0) return false;
  if (pid_ == 0) {
    // The child dies with the test, and keeps none of its output pipes open.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    int null = open("/dev/null", O_RDWR);
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    execl(kDnsmasq, kDnsmasq, "-k", conf_arg.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < kPolls; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;  // exited: most likely the port was taken meanwhile
      return false;
    }
    if (answers()) return true;
    std::this_thread::sleep_for(kPollInterval);
  }
  return false;
}

// dnsmasq logs "started" once its sockets are bound.
bool DnsmasqServer::answers() const {
  std::ifstream in(log_);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find("started, version") != std::string::npos) return true;
  }
  return false;
}

size_t DnsmasqServer::queriesFor(const std::string& name) const {
  std::ifstream in(log_);
  std::string line;
  size_t count = 0;
  while (std::getline(in, line)) {
    if (line.find("query[") != std::string::npos &&
        line.find(" " + name + " from") != std::string::npos)
      ++count;
  }
  return count;
}

bool DnsmasqServer::waitForQuery(const std::string& name) const {
  for (int i = 0; i < kPolls; ++i) {
    if (queriesFor(name) > 0) return true;
    std::this_thread::sleep_for(kPollInterval);
  }
  return false;
}

void DnsmasqServer::pause() {
  if (pid_ > 0) kill(pid_, SIGSTOP);
}

void DnsmasqServer::resume() {
  if (pid_ > 0) kill(pid_, SIGCONT);
}

void DnsmasqServer::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  kill(pid_, SIGCONT);  // a paused server handles SIGTERM only once it runs again
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace portcullis::test
