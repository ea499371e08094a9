// The SMTP client of bench_milter: S sessions in parallel, each sending its share of N messages of
// B bytes over one connection, either one command at a time or pipelined (MAIL, RCPT and DATA in
// one packet, RFC 2920, as Postfix's SMTP client sends them). Prints the rate and the p50/p99
// transaction time (MAIL to the reply after the final dot) on one line:
//   messages=N failed=F seconds=T rate=R p50_ms=X p99_ms=Y
//
//   smtp_latency_client PORT [--messages N] [--sessions S] [--size B] [--pipelining]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  uint16_t port = 0;
  int messages = 2000;
  int sessions = 16;
  size_t size = 5000;
  bool pipelining = false;
};

// A blocking SMTP connection on loopback that reads whole (multi-line) replies.
class Connection {
 public:
  explicit Connection(uint16_t port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int on = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    ok_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~Connection() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return ok_; }

  bool send(const std::string& data) {
    for (size_t done = 0; done < data.size();) {
      ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  // The code of the next complete reply; 0 when the connection ends.
  int reply() {
    while (true) {
      size_t end = buffer_.find("\r\n");
      if (end == std::string::npos) {
        char chunk[16384];
        ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
        if (n <= 0) return 0;
        buffer_.append(chunk, static_cast<size_t>(n));
        continue;
      }
      std::string line = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      if (line.size() >= 4 && line[3] == '-') continue;
      return line.size() >= 3 ? std::atoi(line.substr(0, 3).c_str()) : 0;
    }
  }

 private:
  int fd_;
  bool ok_ = false;
  std::string buffer_;
};

std::string message(size_t size, int n) {
  std::string text = "From: bench@sender.test\r\nTo: rcpt@example.test\r\nSubject: bench " +
                     std::to_string(n) + "\r\nMessage-Id: <bench-" + std::to_string(n) +
                     "@sender.test>\r\n\r\n";
  while (text.size() < size) text += "The quick brown fox jumps over the lazy dog 0123456789\r\n";
  return text + ".\r\n";
}

// One transaction; false when a reply was not the expected one.
bool transaction(Connection& c, const std::string& body, bool pipelining) {
  const std::string mail = "MAIL FROM:<bench@sender.test>\r\n";
  const std::string rcpt = "RCPT TO:<rcpt@example.test>\r\n";
  const std::string data = "DATA\r\n";
  if (pipelining) {
    if (!c.send(mail + rcpt + data)) return false;
    bool ok = c.reply() == 250;
    ok = c.reply() == 250 && ok;
    if (c.reply() != 354 || !ok) return false;
  } else {
    if (!c.send(mail) || c.reply() != 250) return false;
    if (!c.send(rcpt) || c.reply() != 250) return false;
    if (!c.send(data) || c.reply() != 354) return false;
  }
  return c.send(body) && c.reply() == 250;
}

double percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  size_t at = std::min(values.size() - 1, static_cast<size_t>(p * values.size()));
  std::nth_element(values.begin(), values.begin() + static_cast<long>(at), values.end());
  return values[at];
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: smtp_latency_client PORT [--messages N] [--sessions S] [--size B] "
                 "[--pipelining]\n");
    return 2;
  }
  o.port = static_cast<uint16_t>(std::atoi(argv[1]));
  for (int i = 2; i < argc; ++i) {
    std::string key = argv[i];
    if (key == "--pipelining") {
      o.pipelining = true;
    } else if (i + 1 < argc && key == "--messages") {
      o.messages = std::atoi(argv[++i]);
    } else if (i + 1 < argc && key == "--sessions") {
      o.sessions = std::max(1, std::atoi(argv[++i]));
    } else if (i + 1 < argc && key == "--size") {
      o.size = static_cast<size_t>(std::atol(argv[++i]));
    } else {
      std::fprintf(stderr, "unknown option %s\n", key.c_str());
      return 2;
    }
  }
  std::mutex lock;
  std::vector<double> latencies;
  int failed = 0;
  auto start = Clock::now();
  std::vector<std::thread> sessions;
  for (int s = 0; s < o.sessions; ++s) {
    sessions.emplace_back([&, s] {
      int count = o.messages / o.sessions + (s < o.messages % o.sessions ? 1 : 0);
      std::vector<double> mine;
      int lost = 0;
      Connection c(o.port);
      bool ok = c.ok() && c.reply() == 220 && c.send("EHLO bench.test\r\n") && c.reply() == 250;
      for (int i = 0; i < count; ++i) {
        if (!ok) {
          ++lost;
          continue;
        }
        std::string body = message(o.size, s * 1000000 + i);
        auto begin = Clock::now();
        ok = transaction(c, body, o.pipelining);
        if (ok) {
          mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
        } else {
          ++lost;
        }
      }
      if (ok && c.send("QUIT\r\n")) c.reply();
      std::lock_guard guard(lock);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
      failed += lost;
    });
  }
  for (auto& t : sessions) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  double p50 = percentile(latencies, 0.50);
  double p99 = percentile(latencies, 0.99);
  std::printf("messages=%d failed=%d seconds=%.3f rate=%.0f p50_ms=%.2f p99_ms=%.2f\n", o.messages,
              failed, seconds, static_cast<double>(latencies.size()) / seconds, p50, p99);
  return failed == 0 ? 0 : 1;
}
