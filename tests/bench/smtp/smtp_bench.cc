// Benchmark of the SMTP core: N messages over M parallel connections through `portcullis serve`
// (spool mode and proxy mode) into Postfix's smtp-sink, against the same client and smtp-source
// sending straight into the sink. Prints messages/s, p50/p99 transaction latency (MAIL to the
// final 250), the ratio to the direct path, the spool drain time and the gateway's peak RSS
// (VmHWM). Not a test: figures only, no assertions.
//
//   smtp_bench [--messages N] [--connections M] [--size BYTES]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/gateway_process.h"
#include "tests/support/loopback.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

using namespace portcullis::test;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  int messages = 2000;
  int connections = 8;
  size_t size = 5000;
};

struct RunResult {
  double seconds = 0;
  int sent = 0;
  int failed = 0;
  std::vector<double> latencies_ms;
};

std::string messageBody(size_t size, int n) {
  std::string body = "From: bench@sender.test\r\nTo: sink@example.org\r\nSubject: bench " +
                     std::to_string(n) + "\r\nMessage-Id: <bench-" + std::to_string(n) +
                     "@sender.test>\r\n\r\n";
  while (body.size() < size) body += "The quick brown fox jumps over the lazy dog 0123456789\r\n";
  return body + ".\r\n";
}

// M threads, each with one connection, sending its share of the N messages.
RunResult runClients(uint16_t port, const Options& o) {
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
          bool ok = c.command("MAIL FROM:<bench@sender.test>").code == 250 &&
                    c.command("RCPT TO:<sink@example.org>").code == 250 &&
                    c.command("DATA").code == 354;
          if (ok) {
            c.send(body);
            ok = c.readReply().code == 250;
          }
          if (!ok) {
            ++failed;
            continue;
          }
          mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
        }
        c.command("QUIT");
      } catch (const std::exception& e) {
        std::fprintf(stderr, "client %d: %s\n", t, e.what());
        failed += count - static_cast<int>(mine.size());
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

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = std::min(sorted.size() - 1, static_cast<size_t>(p * (sorted.size() - 1) + 0.5));
  return sorted[i];
}

void print(const char* name, const RunResult& r, double baseline_rate) {
  double rate = r.sent / r.seconds;
  std::printf("%-34s %7d msgs %6.2f s %9.1f msg/s  p50 %7.2f ms  p99 %7.2f ms", name, r.sent,
              r.seconds, rate, percentile(r.latencies_ms, 0.50), percentile(r.latencies_ms, 0.99));
  if (baseline_rate > 0) std::printf("  ratio %.2f", rate / baseline_rate);
  if (r.failed) std::printf("  (%d failed)", r.failed);
  std::printf("\n");
}

std::string peakRss(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return line.substr(line.find_first_not_of(" \t", 6));
  }
  return "?";
}

size_t countOccurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

double smtpSourceRate(uint16_t sink_port, const Options& o) {
  auto start = Clock::now();
  auto r = runCommand(
      {"smtp-source", "-d", "-s", std::to_string(o.connections), "-m", std::to_string(o.messages),
       "-l", std::to_string(o.size), "-f", "bench@sender.test", "-t", "sink@example.org",
       "127.0.0.1:" + std::to_string(sink_port)},
      "", std::chrono::minutes(10));
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (r.exit_code != 0) std::fprintf(stderr, "smtp-source: %s\n", r.output.c_str());
  double rate = o.messages / seconds;
  std::printf("%-34s %7d msgs %6.2f s %9.1f msg/s\n", "smtp-source -> smtp-sink", o.messages,
              seconds, rate);
  return rate;
}

void gatewayRun(const char* mode, uint16_t sink_port, const Options& o, double baseline) {
  TempDir dir("portcullis-bench");
  GatewaySettings s;
  s.mode = mode;
  s.relay_port = sink_port;
  s.relay = "concurrency = " + std::to_string(o.connections) + "\n";
  GatewayProcess gateway(dir.path(), s);
  gateway.start();
  RunResult r = runClients(gateway.port(), o);
  std::string name = std::string("client -> portcullis (") + mode + ") -> sink";
  print(name.c_str(), r, baseline);
  if (std::strcmp(mode, "spool") == 0) {
    // The queue runner logs one "delivery attempt 1" line per message it hands to the sink.
    auto drain_start = Clock::now();
    auto deadline = drain_start + std::chrono::minutes(5);
    size_t delivered = 0;
    while (Clock::now() < deadline) {
      delivered = countOccurrences(gateway.log(), ": delivery attempt 1 ");
      if (delivered >= static_cast<size_t>(r.sent)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    double drain = std::chrono::duration<double>(Clock::now() - drain_start).count();
    std::printf("%-34s %7zu of %d delivered %.2f s after the last 250: %.1f msg/s end to end\n",
                "  spool drain", delivered, r.sent, drain, delivered / (r.seconds + drain));
  }
  std::printf("%-34s %s\n", "  gateway peak RSS (VmHWM)", peakRss(gateway.pid()).c_str());
  gateway.stop();
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  for (int i = 1; i < argc; i += 2) {
    std::string key = argv[i];
    if (i + 1 >= argc) key.clear();
    if (key == "--messages")
      o.messages = std::atoi(argv[i + 1]);
    else if (key == "--connections")
      o.connections = std::atoi(argv[i + 1]);
    else if (key == "--size")
      o.size = static_cast<size_t>(std::atoll(argv[i + 1]));
    else {
      std::fprintf(stderr, "usage: %s [--messages N] [--connections M] [--size BYTES]\n", argv[0]);
      return 2;
    }
  }
  TempDir dir("portcullis-bench-sink");
  uint16_t sink_port = freeLoopbackPort();
  ChildProcess sink = ChildProcess::start(
      {"smtp-sink", "-u", "postfix", "127.0.0.1:" + std::to_string(sink_port), "256"},
      dir / "sink.log");
  if (!waitForPort(sink_port)) {
    std::fprintf(stderr, "smtp-sink did not start: %s\n", readFile(dir / "sink.log").c_str());
    return 1;
  }
  std::printf("%d messages of %zu bytes over %d connections\n", o.messages, o.size, o.connections);
  double source_rate = smtpSourceRate(sink_port, o);
  RunResult direct = runClients(sink_port, o);
  print("client -> smtp-sink", direct, 0);
  double direct_rate = direct.sent / direct.seconds;
  std::printf(
      "(ratios below are against the same client straight into smtp-sink, %.1f msg/s; "
      "smtp-source managed %.1f msg/s)\n",
      direct_rate, source_rate);
  // Errors are caught here so the destructors stop smtp-sink (it changes its user id, which
  // clears the parent-death signal that would otherwise end it with us).
  try {
    gatewayRun("spool", sink_port, o, direct_rate);
    gatewayRun("proxy", sink_port, o, direct_rate);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "smtp_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
