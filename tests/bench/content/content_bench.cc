// Content-engine benchmark (built, never run by ctest). With SpamAssassin's stock rules loaded it
// measures: compile time (cold with --cold, else the cached load), single-core scan throughput
// over corpus groups easy-ham-1 + spam-1 (MIME parse + scan per message), latency p50/p99,
// peak RSS; with --cold also the cold start (rules on PCRE2/RE2 while Hyperscan compiles: time to
// the first verdict, throughput); and with --spamd the same messages through spamd+spamc (local
// tests only: no Bayes, no RBL, no DNS) started on 127.0.0.1, printed as a ratio.
//
//   content_bench [--rules DIR] [--corpus DIR] [--cache DIR] [--cold] [--seconds N]
//                 [--spamd] [--spamd-messages N]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "filters/content/message_view.h"
#include "filters/content/rule_engine.h"
#include "gateway/mime/message.h"

namespace fs = std::filesystem;
using namespace portcullis;
using Clock = std::chrono::steady_clock;

extern char** environ;

namespace {

struct Options {
  std::string rules = "/usr/share/spamassassin";
  std::string corpus = std::string(PORTCULLIS_SOURCE_DIR) + "/build/corpus";
  std::string cache = std::string(PORTCULLIS_BINARY_DIR) + "/content-bench-cache";
  bool cold = false;
  double seconds = 10;
  bool spamd = false;
  size_t spamd_messages = 200;
};

// CPU time of the calling thread: unlike wall time, not inflated while other work has the core.
double threadCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// What a gateway's cold start costs before the first verdict: the rules loaded for the confirming
// engines (Hyperscan's databases not compiled yet, see CompileOptions::hyperscan_from_cache_only)
// and the first message scanned; then their throughput over the corpus.
void firstMessageOnColdStart(content::EngineConfig config, const std::vector<std::string>& corpus) {
  config.compile.hyperscan_from_cache_only = true;
  const auto start = Clock::now();
  const content::LoadResult interim = content::loadAndCompile(config);
  if (!interim.rules || corpus.empty()) return;
  const double loaded = secondsSince(start);
  const auto scan = [&interim](const std::string& raw) {
    const mime::Message message = mime::Message::parse(raw);
    interim.rules->scan(content::viewOfMessage(message), {}, false, content::ScanDepth::Verdict);
  };
  scan(corpus.front());
  const double first = secondsSince(start);
  const auto corpus_start = Clock::now();
  for (const auto& raw : corpus) scan(raw);
  std::printf(
      "cold start: rules serving on PCRE2/RE2 after %.2f s, first verdict after %.2f s; "
      "%.0f msg/s until Hyperscan takes over\n",
      loaded, first, static_cast<double>(corpus.size()) / secondsSince(corpus_start));
}

std::vector<std::string> loadCorpus(const std::string& dir) {
  std::vector<std::string> messages;
  for (const char* group : {"easy-ham-1", "spam-1"}) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(fs::path(dir) / group))
      if (e.path().extension() == ".txt") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      std::stringstream s;
      s << in.rdbuf();
      messages.push_back(s.str());
    }
  }
  return messages;
}

long peakRssKb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

int freePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

bool canConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

pid_t spawn(const std::vector<std::string>& args, const char* stdin_file = nullptr) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stdin_file) posix_spawn_file_actions_addopen(&actions, 0, stdin_file, O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

// Messages per second through spamd+spamc, one message at a time (one core), or 0 on failure.
double spamdRate(const std::vector<std::string>& messages, size_t count) {
  const fs::path dir =
      fs::temp_directory_path() / ("content-bench-spamd-" + std::to_string(getpid()));
  fs::create_directories(dir);
  // The site configuration: the installed plugin list (*.pre) plus local-only settings.
  for (const auto& e : fs::directory_iterator("/etc/spamassassin"))
    if (e.path().extension() == ".pre") fs::copy_file(e.path(), dir / e.path().filename());
  std::ofstream(dir / "local.cf") << "use_bayes 0\nskip_rbl_checks 1\ndns_available no\n";
  const int port = freePort();
  const pid_t spamd =
      spawn({"/usr/sbin/spamd", "--listen=127.0.0.1:" + std::to_string(port), "--max-children=1",
             "--min-children=1", "-L", "-x", "--siteconfigpath=" + dir.string(), "-s", "stderr"});
  if (spamd < 0) return 0;
  const auto waited = Clock::now();
  while (!canConnect(port) && secondsSince(waited) < 120)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  double rate = 0;
  if (canConnect(port)) {
    std::vector<fs::path> files;
    for (size_t i = 0; i < count && i < messages.size(); ++i) {
      // Spread the sample over ham and spam.
      const size_t index = i * messages.size() / std::min(count, messages.size());
      files.push_back(dir / ("m" + std::to_string(i)));
      std::ofstream(files.back(), std::ios::binary) << messages[index];
    }
    const auto start = Clock::now();
    for (const auto& f : files) {
      const pid_t client =
          spawn({"/usr/bin/spamc", "-d", "127.0.0.1", "-p", std::to_string(port), "-c"}, f.c_str());
      int status = 0;
      waitpid(client, &status, 0);
    }
    rate = static_cast<double>(files.size()) / secondsSince(start);
  }
  kill(spamd, SIGTERM);
  int status = 0;
  waitpid(spamd, &status, 0);
  fs::remove_all(dir);
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--rules")
      options.rules = next();
    else if (a == "--corpus")
      options.corpus = next();
    else if (a == "--cache")
      options.cache = next();
    else if (a == "--cold")
      options.cold = true;
    else if (a == "--seconds")
      options.seconds = std::stod(next());
    else if (a == "--spamd")
      options.spamd = true;
    else if (a == "--spamd-messages")
      options.spamd_messages = std::stoul(next());
    else {
      std::cerr << "unknown option " << a << "\n";
      return 2;
    }
  }

  content::EngineConfig config;
  config.rule_paths = {options.rules};
  config.compile.score_set = 0;
  if (options.cold) {
    const fs::path cold_cache = options.cache + "-cold";
    fs::remove_all(cold_cache);
    config.compile.cache_dir = cold_cache;
    firstMessageOnColdStart(config, loadCorpus(options.corpus));
    const auto start = Clock::now();
    auto cold = content::loadAndCompile(config);
    std::printf("first compile (empty cache): %.1f s\n", secondsSince(start));
    fs::remove_all(options.cache);
    fs::rename(cold_cache, options.cache);
  }
  config.compile.cache_dir = options.cache;
  auto start = Clock::now();
  content::LoadResult loaded = content::loadAndCompile(config);
  const double load_seconds = secondsSince(start);
  if (!loaded.rules) {
    std::cerr << loaded.error << "\n";
    return 1;
  }
  const auto& summary = loaded.rules->summary();
  std::printf("rules: %zu read, %zu loaded; groups %zu (%zu from cache); load %.3f s%s\n",
              summary.rules_total, summary.rules_loaded, summary.groups, summary.groups_from_cache,
              load_seconds,
              summary.groups_from_cache == summary.groups ? " (cached)" : " (compiled)");

  const std::vector<std::string> messages = loadCorpus(options.corpus);
  std::printf("messages: %zu (easy-ham-1 + spam-1)\n", messages.size());
  std::vector<double> latencies;
  size_t scanned = 0, hits = 0;
  start = Clock::now();
  const double cpu_start = threadCpuSeconds();
  while (secondsSince(start) < options.seconds || scanned < messages.size()) {
    for (const auto& raw : messages) {
      const auto t0 = Clock::now();
      const mime::Message message = mime::Message::parse(raw);
      const content::ContentView view = content::viewOfMessage(message);
      hits += loaded.rules->scan(view, {}, false, content::ScanDepth::Verdict).hits.size();
      latencies.push_back(secondsSince(t0) * 1e6);
      ++scanned;
    }
  }
  const double elapsed = secondsSince(start);
  const double cpu_per_message =
      (threadCpuSeconds() - cpu_start) * 1e6 / static_cast<double>(scanned);
  std::sort(latencies.begin(), latencies.end());
  const double rate = static_cast<double>(scanned) / elapsed;
  std::printf(
      "scan (parse + rules), 1 thread: %.0f msg/s; p50 %.0f us, p99 %.0f us; "
      "CPU %.0f us/msg; %.1f hits/msg; peak RSS %ld MiB\n",
      rate, latencies[latencies.size() / 2], latencies[latencies.size() * 99 / 100],
      cpu_per_message, static_cast<double>(hits) / static_cast<double>(scanned),
      peakRssKb() / 1024);

  if (options.spamd) {
    const double sa = spamdRate(messages, options.spamd_messages);
    if (sa > 0) {
      std::printf("spamd+spamc (local tests only), 1 child: %.2f msg/s over %zu messages\n", sa,
                  std::min(options.spamd_messages, messages.size()));
      std::printf("ratio: %.0fx SpamAssassin\n", rate / sa);
    } else {
      std::printf("spamd could not be started (is the spamd package installed?)\n");
    }
  }
  return 0;
}
