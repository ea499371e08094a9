// Benchmark of the SMTP path (issue 17, "Measure"): the same load, N messages over M parallel
// sessions into Postfix's smtp-sink, sent
//   direct    straight into the sink,
//   postfix   through a private Postfix relaying to the sink (the store-and-forward baseline),
//   spool     through `portcullis serve` in spool mode,
//   proxy     through `portcullis serve` in proxy mode,
// each by three clients: Postfix's smtp-source (-d -s M: one command at a time, no latencies), our
// client one command at a time, and our client pipelining MAIL, RCPT and DATA in one packet
// (RFC 2920). Prints messages/s, p50/p99 per message (MAIL to the final 250), how long the
// store-and-forward targets take to deliver everything they accepted, and the ratios the issue
// sets goals for: spool / postfix and proxy / direct. Not a test: figures only, no assertions.
// Because the machine may be shared, it also prints the CPU time each message costs the clients,
// the sink and the gateway (process CPU clocks, which other load barely moves), and proxy / direct
// as the ratio of those totals: the throughput ratio a machine running only this would see.
// (Postfix's own processes are not counted, so there is no such figure for spool / postfix.)
// The gateway runs with no checks configured (no [checks] table: no content rules, DNS lists or
// SPF), metrics off and the log at info (one line per message), so it measures the SMTP path
// itself: sessions, the transaction flow with an empty pipeline, the Received field, the
// line-length fit, and the relay (spool) or the downstream connection (proxy).
//
//   smtp_bench [--messages N] [--connections M] [--size BYTES] [--only direct,postfix,spool,proxy]
//              [--clients smtp-source,one-by-one,pipelined] [--commit-window-us US]
//              [--group-commit on|off] [--io-threads N]
//              [--attach-delay-ms MS]
// (--clients runs some of the clients only, and --attach-delay-ms waits that long after a gateway
// has started, before the first client: for profiling the gateway in one client mode.)
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/gateway_process.h"
#include "tests/support/loopback.h"
#include "tests/support/postfix_instance.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

using namespace portcullis::test;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kDrainLimit = std::chrono::minutes(5);
const std::vector<std::string> kTargets = {"direct", "postfix", "spool", "proxy"};
const std::vector<std::string> kClients = {"smtp-source", "one by one", "pipelined"};

struct Options {
  int messages = 5000;
  int connections = 16;
  size_t size = 5000;
  std::set<std::string> only{kTargets.begin(), kTargets.end()};
  std::set<std::string> clients{kClients.begin(), kClients.end()};
  long commit_window_us = -1;  // -1: the gateway's default
  int io_threads = 0;          // 0: the gateway's default
  std::string group_commit;    // empty: the gateway's default
  int attach_delay_ms = 0;
  pid_t sink_pid = -1;
};

// CPU time (user + system) in microseconds: of this process (the client threads), of the children
// it waited for (smtp-source), and of another running process.
double micros(const timeval& t) {
  return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_usec);
}

double ownCpu(int who) {
  rusage usage{};
  getrusage(who, &usage);
  return micros(usage.ru_utime) + micros(usage.ru_stime);
}

double processCpu(pid_t pid) {
  clockid_t clock;
  timespec t{};
  if (pid <= 0 || clock_getcpuclockid(pid, &clock) != 0 || clock_gettime(clock, &t) != 0) return 0;
  return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

// CPU spent so far by the parts of one run.
struct CpuSample {
  double clients = 0;
  double sink = 0;
  double gateway = 0;

  static CpuSample take(pid_t sink, pid_t gateway) {
    return {ownCpu(RUSAGE_SELF) + ownCpu(RUSAGE_CHILDREN), processCpu(sink), processCpu(gateway)};
  }
};

struct RunResult {
  double seconds = 0;
  int sent = 0;
  int failed = 0;
  std::vector<double> latencies_ms;  // empty for smtp-source
  CpuSample cpu_per_message;         // microseconds
  double rate() const { return seconds > 0 ? sent / seconds : 0; }
  double cpuPerMessage() const {
    return cpu_per_message.clients + cpu_per_message.sink + cpu_per_message.gateway;
  }
};

std::string messageBody(size_t size, int n) {
  std::string body = "From: bench@sender.test\r\nTo: sink@example.org\r\nSubject: bench " +
                     std::to_string(n) + "\r\nMessage-Id: <bench-" + std::to_string(n) +
                     "@sender.test>\r\n\r\n";
  while (body.size() < size) body += "The quick brown fox jumps over the lazy dog 0123456789\r\n";
  return body + ".\r\n";
}

// One transaction; true when the message got its 250.
bool sendOne(RawSmtpConnection& c, const std::string& body, bool pipelined) {
  if (pipelined) {
    c.send("MAIL FROM:<bench@sender.test>\r\nRCPT TO:<sink@example.org>\r\nDATA\r\n");
    bool mail = c.readReply().code == 250;
    bool rcpt = c.readReply().code == 250;
    bool data = c.readReply().code == 354;
    if (!data) return false;
    c.send(body);
    return c.readReply().code == 250 && mail && rcpt;
  }
  if (c.command("MAIL FROM:<bench@sender.test>").code != 250 ||
      c.command("RCPT TO:<sink@example.org>").code != 250 || c.command("DATA").code != 354) {
    return false;
  }
  c.send(body);
  return c.readReply().code == 250;
}

// M threads, each with one connection, sending its share of the N messages.
RunResult runClients(uint16_t port, const Options& o, bool pipelined) {
  RunResult result;
  std::mutex lock;
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < o.connections; ++t) {
    threads.emplace_back([&, t] {
      std::vector<double> mine;
      int failed = 0;
      int count = o.messages / o.connections + (t < o.messages % o.connections ? 1 : 0);
      try {
        RawSmtpConnection c(port);
        c.readReply();
        c.command("EHLO bench.test");
        for (int i = 0; i < count; ++i) {
          std::string body = messageBody(o.size, t * 1000000 + i);
          auto begin = Clock::now();
          if (!sendOne(c, body, pipelined)) {
            ++failed;
            c.command("RSET");
            continue;
          }
          mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
        }
        c.command("QUIT");
      } catch (const std::exception& e) {
        std::fprintf(stderr, "client %d: %s\n", t, e.what());
        failed += count - static_cast<int>(mine.size()) - failed;
      }
      std::lock_guard guard(lock);
      result.latencies_ms.insert(result.latencies_ms.end(), mine.begin(), mine.end());
      result.failed += failed;
    });
  }
  for (auto& t : threads) t.join();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  result.sent = static_cast<int>(result.latencies_ms.size());
  std::sort(result.latencies_ms.begin(), result.latencies_ms.end());
  return result;
}

RunResult runSmtpSource(uint16_t port, const Options& o) {
  auto start = Clock::now();
  auto r = runCommand(
      {"smtp-source", "-d", "-s", std::to_string(o.connections), "-m", std::to_string(o.messages),
       "-l", std::to_string(o.size), "-f", "bench@sender.test", "-t", "sink@example.org",
       "127.0.0.1:" + std::to_string(port)},
      "", std::chrono::minutes(10));
  RunResult result;
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (r.exit_code != 0) {
    std::fprintf(stderr, "smtp-source: %s\n", r.output.c_str());
    result.failed = o.messages;
  } else {
    result.sent = o.messages;
  }
  return result;
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = std::min(sorted.size() - 1, static_cast<size_t>(p * (sorted.size() - 1) + 0.5));
  return sorted[i];
}

size_t countOccurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

std::string peakRss(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return line.substr(line.find_first_not_of(" \t", 6));
  }
  return "?";
}

// Something the clients send to: its port, and for store-and-forward targets how many messages
// it has handed to the sink so far (-1: it forwards synchronously, nothing to wait for).
struct Target {
  std::string name;
  uint16_t port = 0;
  pid_t process = -1;  // the gateway, whose CPU time is counted
  std::function<long()> delivered = [] { return -1L; };
  std::function<std::string()> note = [] { return std::string(); };
};

// Runs the three clients against `target`, waiting after each until everything accepted so far
// has reached the sink, so one run's tail does not load the next.
std::map<std::string, RunResult> measure(const Target& target, const Options& o) {
  std::map<std::string, RunResult> results;
  long accepted = 0;
  for (const auto& client : kClients) {
    if (o.clients.count(client) == 0) continue;
    CpuSample before = CpuSample::take(o.sink_pid, target.process);
    RunResult r = client == "smtp-source" ? runSmtpSource(target.port, o)
                                          : runClients(target.port, o, client == "pipelined");
    accepted += r.sent;
    std::printf("%-8s %-12s %6d msgs %6.2f s %8.1f msg/s", target.name.c_str(), client.c_str(),
                r.sent, r.seconds, r.rate());
    if (!r.latencies_ms.empty()) {
      std::printf("  p50 %6.2f ms  p99 %6.2f ms", percentile(r.latencies_ms, 0.50),
                  percentile(r.latencies_ms, 0.99));
    } else {
      std::printf("  %27s", "");
    }
    if (target.delivered() >= 0) {
      auto drain_start = Clock::now();
      long delivered = target.delivered();
      while (delivered < accepted && Clock::now() - drain_start < kDrainLimit) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        delivered = target.delivered();
      }
      double drain = std::chrono::duration<double>(Clock::now() - drain_start).count();
      std::printf("  drained %+.2f s: %7.1f msg/s end to end", drain, r.sent / (r.seconds + drain));
      if (delivered < accepted) std::printf(" (%ld of %ld delivered)", delivered, accepted);
    }
    if (r.failed) std::printf("  (%d failed)", r.failed);
    // After the drain, so a store-and-forward gateway's relaying counts too.
    CpuSample after = CpuSample::take(o.sink_pid, target.process);
    double n = std::max(1, r.sent);
    r.cpu_per_message = {(after.clients - before.clients) / n, (after.sink - before.sink) / n,
                         (after.gateway - before.gateway) / n};
    std::printf("\n%-21s CPU per message: clients %5.1f us  sink %5.1f us", "",
                r.cpu_per_message.clients, r.cpu_per_message.sink);
    if (target.process > 0) std::printf("  gateway %5.1f us", r.cpu_per_message.gateway);
    std::printf("  total %5.1f us\n", r.cpuPerMessage());
    results[client] = std::move(r);
  }
  std::string note = target.note();
  if (!note.empty()) std::printf("%-8s %s\n", "", note.c_str());
  return results;
}

std::map<std::string, RunResult> runGateway(const char* mode, uint16_t sink_port,
                                            const Options& o) {
  TempDir dir("portcullis-bench");
  GatewaySettings s;
  s.mode = mode;
  s.relay_port = sink_port;
  s.relay = "concurrency = " + std::to_string(o.connections) + "\n";
  if (o.commit_window_us >= 0)
    s.queue += "commit_window_us = " + std::to_string(o.commit_window_us) + "\n";
  if (o.io_threads > 0) s.server += "io_threads = " + std::to_string(o.io_threads) + "\n";
  if (!o.group_commit.empty()) {
    s.queue += std::string("group_commit = ") + (o.group_commit == "on" ? "true" : "false") + "\n";
  }
  GatewayProcess gateway(dir.path(), s);
  gateway.start();
  Target target{mode, gateway.port(), gateway.pid()};
  if (o.attach_delay_ms > 0) {
    std::printf("gateway pid %d; clients start in %d ms\n", static_cast<int>(gateway.pid()),
                o.attach_delay_ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(o.attach_delay_ms));
  }
  if (std::strcmp(mode, "spool") == 0) {
    // The queue runner logs one "delivery attempt 1" line per message it hands to the sink.
    target.delivered = [&gateway] {
      return static_cast<long>(countOccurrences(gateway.log(), ": delivery attempt 1 "));
    };
  }
  target.note = [&gateway] { return "gateway peak RSS (VmHWM) " + peakRss(gateway.pid()); };
  auto results = measure(target, o);
  gateway.stop();
  return results;
}

std::map<std::string, RunResult> runPostfix(uint16_t sink_port, const Options& o) {
  TempDir dir("portcullis-bench-postfix");
  PostfixInstance postfix(dir / "postfix", sink_port);
  postfix.start();
  Target target{"postfix", postfix.port()};
  target.delivered = [&postfix] {
    return static_cast<long>(countOccurrences(postfix.log(), " status=sent "));
  };
  auto results = measure(target, o);
  postfix.stop();
  return results;
}

void printRatio(const char* name, const std::map<std::string, RunResult>& top,
                const std::map<std::string, RunResult>& bottom) {
  if (top.empty() || bottom.empty()) return;
  std::printf("%-18s", name);
  for (const auto& client : kClients) {
    if (top.count(client) == 0 || bottom.count(client) == 0) continue;
    double base = bottom.at(client).rate();
    std::printf("  %s %5.2f", client.c_str(), base > 0 ? top.at(client).rate() / base : 0.0);
  }
  std::printf("\n");
}

// The same ratio from CPU time per message (a message costing twice the CPU: 0.50).
void printCpuRatio(const char* name, const std::map<std::string, RunResult>& top,
                   const std::map<std::string, RunResult>& bottom) {
  if (top.empty() || bottom.empty()) return;
  std::printf("%-18s", name);
  for (const auto& client : kClients) {
    if (top.count(client) == 0 || bottom.count(client) == 0) continue;
    double cost = top.at(client).cpuPerMessage();
    std::printf("  %s %5.2f", client.c_str(),
                cost > 0 ? bottom.at(client).cpuPerMessage() / cost : 0.0);
  }
  std::printf("\n");
}

bool parseOptions(int argc, char** argv, Options& o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string key = argv[i];
    std::string value = argv[i + 1];
    if (key == "--messages") {
      o.messages = std::atoi(value.c_str());
    } else if (key == "--connections") {
      o.connections = std::atoi(value.c_str());
    } else if (key == "--size") {
      o.size = static_cast<size_t>(std::atoll(value.c_str()));
    } else if (key == "--commit-window-us") {
      o.commit_window_us = std::atol(value.c_str());
    } else if (key == "--attach-delay-ms") {
      o.attach_delay_ms = std::atoi(value.c_str());
    } else if (key == "--io-threads") {
      o.io_threads = std::atoi(value.c_str());
    } else if (key == "--group-commit" && (value == "on" || value == "off")) {
      o.group_commit = value;
    } else if (key == "--only") {
      o.only.clear();
      std::stringstream list(value);
      for (std::string name; std::getline(list, name, ',');) o.only.insert(name);
    } else if (key == "--clients") {
      // "one-by-one" on the command line stands for the client named "one by one".
      o.clients.clear();
      std::stringstream list(value);
      for (std::string name; std::getline(list, name, ',');) {
        std::replace(name.begin(), name.end(), '-', ' ');
        o.clients.insert(name == "smtp source" ? "smtp-source" : name);
      }
    } else {
      return false;
    }
  }
  return argc % 2 == 1 && o.messages > 0 && o.connections > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  if (!parseOptions(argc, argv, o)) {
    std::fprintf(stderr,
                 "usage: %s [--messages N] [--connections M] [--size BYTES] "
                 "[--only direct,postfix,spool,proxy] [--clients smtp-source,one-by-one,pipelined] "
                 "[--commit-window-us US] [--group-commit on|off] [--io-threads N] "
                 "[--attach-delay-ms MS]\n",
                 argv[0]);
    return 2;
  }
  TempDir dir("portcullis-bench-sink");
  uint16_t sink_port = freeLoopbackPort();
  ChildProcess sink = ChildProcess::start(
      {"smtp-sink", "-u", "postfix", "127.0.0.1:" + std::to_string(sink_port), "256"},
      dir / "sink.log");
  o.sink_pid = sink.pid();
  if (!waitForPort(sink_port)) {
    std::fprintf(stderr, "smtp-sink did not start: %s\n", readFile(dir / "sink.log").c_str());
    return 1;
  }
  std::printf("%d messages of %zu bytes over %d sessions, per client; %u cores\n", o.messages,
              o.size, o.connections, std::thread::hardware_concurrency());
  std::map<std::string, std::map<std::string, RunResult>> results;
  // Errors are caught here so the destructors stop smtp-sink (it changes its user id, which
  // clears the parent-death signal that would otherwise end it with us).
  try {
    for (const auto& name : kTargets) {
      if (o.only.count(name) == 0) continue;
      if (name == "direct") {
        results[name] = measure(Target{"direct", sink_port}, o);
      } else if (name == "postfix") {
        results[name] = runPostfix(sink_port, o);
      } else {
        results[name] = runGateway(name.c_str(), sink_port, o);
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "smtp_bench: %s\n", e.what());
    return 1;
  }
  std::printf("ratios of messages/s (goals: spool/postfix >= 4, proxy/direct >= 0.5)\n");
  printRatio("spool / postfix", results["spool"], results["postfix"]);
  printRatio("proxy / direct", results["proxy"], results["direct"]);
  std::printf("ratio of CPU time per message (what a machine running only this would see)\n");
  printCpuRatio("proxy / direct", results["proxy"], results["direct"]);
  return 0;
}
