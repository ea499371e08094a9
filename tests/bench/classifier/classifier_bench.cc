// Classifier benchmark (built, never run by ctest): over the development corpus (easy-ham-1 +
// spam-1) it learns every message, then classifies them, with (a) the embedded SQLite store in a
// temp directory and (b) Redis on loopback (a private redis-server it starts itself), printing
// msg/s and p50/p99 latency per message for learning and for classifying, on one thread. The
// baseline in the same run: SpamAssassin's `sa-learn` learning a sample of the same messages into
// a temp --dbpath (its start-up measured separately and left out), printed as ratios.
//
// Messages are MIME-parsed and rendered once up front (the content engine does that for its
// rules anyway); the timings are the classifier's own work: tokenize, digest, store, combine.
//
// With --redis-layouts it also compares the Redis key layouts the store could have used (memory
// per token, lookup latency) on the corpus's own tokens; redis_store.h cites the result.
//
//   classifier_bench [--corpus DIR] [--messages N] [--seconds S] [--sa-messages N] [--no-redis]
//                    [--no-sa] [--redis-layouts]
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "filters/classifier/classifier.h"
#include "filters/classifier/redis_store.h"
#include "filters/classifier/sqlite_store.h"
#include "filters/classifier/tokenizer.h"
#include "filters/content/eval/classifier_facts.h"
#include "filters/content/message_view.h"
#include "gateway/mime/message.h"
#include "tests/support/redis_server.h"
#include "tests/support/temp_dir.h"

namespace fs = std::filesystem;
using namespace portcullis;
using namespace portcullis::classifier;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string corpus = std::string(PORTCULLIS_BINARY_DIR) + "/corpus";
  std::size_t messages = 0;  // 0: the whole corpus
  double seconds = 5;        // classify for at least this long
  std::size_t sa_messages = 300;
  bool redis = true;
  bool sa = true;
  bool layouts = false;  // also compare Redis key layouts
};

// One corpus message, parsed and rendered, with what the classifier reads of it.
struct Sample {
  fs::path file;
  MessageClass cls;
  std::string raw;
  std::unique_ptr<mime::Message> message;
  std::unique_ptr<content::ContentView> view;
  ClassifierInput input;
};

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<std::unique_ptr<Sample>> loadCorpus(const Options& options) {
  std::vector<std::unique_ptr<Sample>> samples;
  std::vector<std::pair<fs::path, MessageClass>> files;
  for (const auto& [group, cls] :
       {std::pair{"easy-ham-1", MessageClass::Ham}, std::pair{"spam-1", MessageClass::Spam}}) {
    std::vector<fs::path> group_files;
    for (const auto& entry : fs::directory_iterator(fs::path(options.corpus) / group))
      if (entry.path().extension() == ".txt") group_files.push_back(entry.path());
    std::sort(group_files.begin(), group_files.end());
    for (const auto& file : group_files) files.emplace_back(file, cls);
  }
  // Interleave ham and spam, as mail arrives, and take an even sample when asked for fewer.
  std::vector<std::pair<fs::path, MessageClass>> ordered;
  const std::size_t wanted =
      options.messages == 0 ? files.size() : std::min(options.messages, files.size());
  std::vector<std::size_t> order(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) order[i] = (i * 7919) % files.size();
  for (std::size_t i = 0; i < files.size() && ordered.size() < wanted; ++i)
    ordered.push_back(files[order[i]]);
  for (const auto& [file, cls] : ordered) {
    auto sample = std::make_unique<Sample>();
    sample->file = file;
    sample->cls = cls;
    std::ifstream in(file, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    sample->raw = bytes.str();
    sample->message = std::make_unique<mime::Message>(mime::Message::parse(sample->raw));
    sample->view = std::make_unique<content::ContentView>(content::viewOfMessage(*sample->message));
    sample->input = content::classifierInputOf(*sample->view);
    samples.push_back(std::move(sample));
  }
  return samples;
}

struct Figures {
  double rate = 0;  // msg/s
  double p50_us = 0;
  double p99_us = 0;
  std::size_t count = 0;
  std::size_t failures = 0;
};

Figures summarise(std::vector<double> latencies_us, double elapsed, std::size_t failures) {
  Figures figures;
  figures.count = latencies_us.size();
  figures.failures = failures;
  if (latencies_us.empty()) return figures;
  std::sort(latencies_us.begin(), latencies_us.end());
  figures.rate = static_cast<double>(latencies_us.size()) / elapsed;
  figures.p50_us = latencies_us[latencies_us.size() / 2];
  figures.p99_us = latencies_us[latencies_us.size() * 99 / 100];
  return figures;
}

void print(const char* backend, const char* what, const Figures& figures) {
  std::printf(
      "%-7s %-9s %9.0f msg/s  p50 %8.1f us  p99 %8.1f us  (%zu messages%s)\n", backend, what,
      figures.rate, figures.p50_us, figures.p99_us, figures.count,
      figures.failures > 0 ? (", " + std::to_string(figures.failures) + " FAILED").c_str() : "");
}

struct BackendFigures {
  Figures learn;
  Figures classify;
  double spam_caught = 0;  // at probability >= 0.5, on the learnt messages themselves
};

BackendFigures run(const char* backend, std::shared_ptr<TokenStore> store,
                   const std::vector<std::unique_ptr<Sample>>& samples, const Options& options) {
  BackendFigures result;
  // Always combine, even when a small --messages sample learns fewer than 200 of a class.
  ClassifierSettings settings;
  settings.min_spam_learned = 1;
  settings.min_ham_learned = 1;
  const Classifier classifier(std::move(store), settings);

  std::vector<double> latencies;
  std::size_t failures = 0;
  auto start = Clock::now();
  for (const auto& sample : samples) {
    const auto t0 = Clock::now();
    const bool ok = classifier.learn(sample->input, sample->cls).ok();
    latencies.push_back(secondsSince(t0) * 1e6);
    failures += !ok;
  }
  result.learn = summarise(std::move(latencies), secondsSince(start), failures);
  print(backend, "learn", result.learn);

  latencies = {};
  failures = 0;
  std::size_t spam = 0, caught = 0;
  start = Clock::now();
  do {
    for (const auto& sample : samples) {
      const auto t0 = Clock::now();
      const Classification verdict = classifier.classify(sample->input);
      latencies.push_back(secondsSince(t0) * 1e6);
      failures += !verdict.available;
      if (sample->cls == MessageClass::Spam) {
        ++spam;
        caught += verdict.probability.value_or(0) >= 0.5;
      }
    }
  } while (secondsSince(start) < options.seconds);
  result.classify = summarise(std::move(latencies), secondsSince(start), failures);
  print(backend, "classify", result.classify);
  result.spam_caught = spam > 0 ? static_cast<double>(caught) / static_cast<double>(spam) : 0;
  auto totals = classifier.store().totals();
  if (totals)
    std::printf("%-7s store: %llu tokens, %llu spam + %llu ham learnt, %.1f MiB\n", backend,
                static_cast<unsigned long long>(totals->tokens),
                static_cast<unsigned long long>(totals->spam_messages),
                static_cast<unsigned long long>(totals->ham_messages),
                static_cast<double>(totals->bytes) / (1 << 20));
  return result;
}

// Runs sa-learn over `files` as `cls` into `dbpath`; the wall time in seconds, or < 0 on failure.
double saLearn(const fs::path& dbpath, MessageClass cls, const std::vector<fs::path>& files) {
  std::vector<std::string> args{"sa-learn", cls == MessageClass::Spam ? "--spam" : "--ham",
                                "--dbpath", dbpath.string(), "--no-sync"};
  for (const auto& file : files) args.push_back(file.string());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::fflush(stdout);  // or the child would write our buffered output again
  const auto start = Clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return -1;
  return secondsSince(start);
}

// sa-learn's learning rate over an even sample of the messages, without its start-up (a run
// learning one message): (N - 1) / (time for N - time for 1). Zero when sa-learn fails.
double saLearnRate(const std::vector<std::unique_ptr<Sample>>& samples, std::size_t count) {
  test::TempDir dir("classifier-bench-sa");
  count = std::min(count, samples.size());
  if (count < 2) return 0;
  std::vector<fs::path> ham, spam;
  for (std::size_t i = 0; i < count; ++i) {
    const Sample& sample = *samples[i * samples.size() / count];
    (sample.cls == MessageClass::Spam ? spam : ham).push_back(sample.file);
  }
  const double startup = saLearn(dir / "startup", MessageClass::Ham, {samples[0]->file});
  double elapsed = 0;
  for (const auto& [cls, files] : {std::pair{MessageClass::Ham, ham}, {MessageClass::Spam, spam}}) {
    if (files.empty()) continue;
    const double seconds = saLearn(dir / "db", cls, files);
    if (seconds < 0 || startup < 0) return 0;
    elapsed += seconds - startup;
  }
  std::printf("sa-learn  learn     %9.1f msg/s  (%zu messages, %.1f s after %.1f s start-up)\n",
              static_cast<double>(count) / elapsed, count, elapsed, startup);
  return elapsed > 0 ? static_cast<double>(count) / elapsed : 0;
}

// The server's own time per call (INFO commandstats) for the store's commands, to tell the
// server's share of a Redis message from the client's.
void printServerTimes(uint16_t port) {
  RedisEndpoint endpoint;
  endpoint.port = port;
  auto connection = RedisConnection::open(endpoint);
  if (!connection) return;
  auto info = (*connection)->exchange({{"INFO", "commandstats"}});
  if (!info) return;
  const std::string text((replyText(*(*info)[0])));
  std::printf("redis   server time per call:");
  for (const char* command : {"evalsha", "eval", "exec"}) {
    const std::string key = std::string("cmdstat_") + command + ":";
    const auto at = text.find(key);
    if (at == std::string::npos) continue;
    const auto per_call = text.find("usec_per_call=", at);
    if (per_call == std::string::npos) continue;
    std::printf(" %s %.1f us", command == std::string("exec") ? "lookup (exec)" : command,
                std::stod(text.substr(per_call + 14)));
  }
  std::printf("\n");
}

// The Redis key layouts the store could use, measured on the corpus's own tokens: memory per
// token (INFO used_memory) and the lookup of each message's tokens (one round trip each).
enum class Layout { OneHash, OneHashPacked, KeyPerToken, HashPerToken };

const char* layoutName(Layout layout) {
  switch (layout) {
    case Layout::OneHash:
      return "one hash, HMGET (the store)";
    case Layout::OneHashPacked:
      return "one hash, Lua-packed reply";
    case Layout::KeyPerToken:
      return "string key per token, MGET";
    case Layout::HashPerToken:
      return "hash per token + TTL (Redis.pm)";
  }
  return "";
}

// As the store names a token in its hash: its 8 bytes, little-endian.
std::string tokenField(TokenHash token) {
  std::string field;
  for (int i = 0; i < 8; ++i) field.push_back(static_cast<char>(token >> (8 * i)));
  return field;
}

std::string tokenKey(TokenHash token) {
  return "t:" + tokenField(token);
}

const std::string kPackedValue("\x01\0\0\0\x02\0\0\0\x03\0\0\0\0\0\0\0", 16);

const char* const kPackedLookup = R"lua(
local empty, packed = string.rep('\0', 16), {}
for first = 1, #ARGV, 1000 do
  local values = redis.call('HMGET', KEYS[1], unpack(ARGV, first, math.min(first + 999, #ARGV)))
  for i = 1, #values do packed[#packed + 1] = values[i] or empty end
end
return table.concat(packed)
)lua";

std::uint64_t usedMemory(RedisConnection& redis) {
  auto info = redis.exchange({{"INFO", "memory"}});
  if (!info) return 0;
  const std::string_view text = replyText(*(*info)[0]);
  const auto at = text.find("used_memory:");
  if (at == std::string_view::npos) return 0;
  return std::stoull(std::string(text.substr(at + 12, text.find('\r', at) - at - 12)));
}

void populate(RedisConnection& redis, Layout layout, const std::vector<TokenHash>& tokens) {
  for (std::size_t first = 0; first < tokens.size(); first += 1000) {
    const std::size_t last = std::min(first + 1000, tokens.size());
    std::vector<RedisCommand> commands;
    if (layout == Layout::HashPerToken) {
      for (std::size_t i = first; i < last; ++i) {
        commands.push_back({"HSET", tokenKey(tokens[i]), "s", "1", "h", "2"});
        commands.push_back({"EXPIRE", tokenKey(tokens[i]), "1814400"});  // Redis.pm: 21 days
      }
    } else {
      RedisCommand command{layout == Layout::KeyPerToken ? "MSET" : "HSET"};
      if (layout != Layout::KeyPerToken) command.push_back("tokens");
      for (std::size_t i = first; i < last; ++i) {
        command.push_back(layout == Layout::KeyPerToken ? tokenKey(tokens[i])
                                                        : tokenField(tokens[i]));
        command.push_back(kPackedValue);
      }
      commands.push_back(std::move(command));
    }
    if (!redis.exchange(commands)) return;
  }
}

bool lookupOnce(RedisConnection& redis, Layout layout, const std::string& packed_sha,
                const std::vector<TokenHash>& tokens, std::vector<TokenCounts>& counts) {
  std::vector<RedisCommand> commands;
  if (layout == Layout::HashPerToken) {
    for (const TokenHash token : tokens) commands.push_back({"HMGET", tokenKey(token), "s", "h"});
  } else {
    RedisCommand command;
    if (layout == Layout::OneHash) command = {"HMGET", "tokens"};
    if (layout == Layout::OneHashPacked) command = {"EVALSHA", packed_sha, "1", "tokens"};
    if (layout == Layout::KeyPerToken) command = {"MGET"};
    for (const TokenHash token : tokens)
      command.push_back(layout == Layout::KeyPerToken ? tokenKey(token) : tokenField(token));
    commands.push_back(std::move(command));
  }
  auto replies = redis.exchange(commands);
  if (!replies) return false;
  counts.assign(tokens.size(), TokenCounts{});
  auto decode = [](std::string_view bytes, TokenCounts& c) {
    c.spam = static_cast<unsigned char>(bytes[0]);
    c.ham = static_cast<unsigned char>(bytes[4]);
  };
  const redisReply& first = *(*replies)[0];
  switch (layout) {
    case Layout::HashPerToken:
      for (std::size_t i = 0; i < tokens.size(); ++i) {
        const redisReply& pair = *(*replies)[i];
        if (pair.type != REDIS_REPLY_ARRAY || pair.elements != 2) return false;
        if (pair.element[0]->type == REDIS_REPLY_STRING)
          counts[i].spam = static_cast<std::uint32_t>(std::stoul(pair.element[0]->str));
        if (pair.element[1]->type == REDIS_REPLY_STRING)
          counts[i].ham = static_cast<std::uint32_t>(std::stoul(pair.element[1]->str));
      }
      return true;
    case Layout::OneHashPacked:
      if (first.type != REDIS_REPLY_STRING || first.len != 16 * tokens.size()) return false;
      for (std::size_t i = 0; i < tokens.size(); ++i)
        decode(std::string_view(first.str + 16 * i, 16), counts[i]);
      return true;
    default:
      if (first.type != REDIS_REPLY_ARRAY || first.elements != tokens.size()) return false;
      for (std::size_t i = 0; i < tokens.size(); ++i)
        if (first.element[i]->type == REDIS_REPLY_STRING)
          decode(replyText(*first.element[i]), counts[i]);
      return true;
  }
}

void compareLayouts(const std::vector<std::unique_ptr<Sample>>& samples) {
  TokenizerSettings settings;
  settings.max_tokens = ClassifierSettings{}.max_tokens_per_message;
  settings.osb_window = ClassifierSettings{}.osb_window;
  std::vector<std::vector<TokenHash>> messages;
  std::vector<TokenHash> all;
  for (const auto& sample : samples) {
    messages.push_back(tokenize(sample->input, settings).hashes);
    all.insert(all.end(), messages.back().begin(), messages.back().end());
  }
  const double per_message = static_cast<double>(all.size()) / static_cast<double>(messages.size());
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  std::printf("\nredis key layouts: %zu distinct tokens, %.0f tokens per message\n", all.size(),
              per_message);

  test::RedisServer server;
  RedisEndpoint endpoint;
  endpoint.port = server.port();
  endpoint.timeout = std::chrono::seconds(10);
  endpoint.max_reply_bytes = 64 << 20;
  auto connection = RedisConnection::open(endpoint);
  if (!connection) {
    std::printf("%s\n", connection.error.c_str());
    return;
  }
  RedisConnection& redis = **connection;
  auto loaded = redis.exchange({{"SCRIPT", "LOAD", kPackedLookup}});
  const std::string packed_sha = loaded ? std::string(replyText(*(*loaded)[0])) : "";
  for (const Layout layout :
       {Layout::OneHash, Layout::OneHashPacked, Layout::KeyPerToken, Layout::HashPerToken}) {
    if (layout != Layout::OneHashPacked) {
      redis.exchange({{"FLUSHALL"}});
      const std::uint64_t before = usedMemory(redis);
      populate(redis, layout, all);
      std::printf(
          "  %-32s %6.1f bytes/token", layoutName(layout),
          static_cast<double>(usedMemory(redis) - before) / static_cast<double>(all.size()));
    } else {
      std::printf("  %-32s %6s            ", layoutName(layout), "same");
    }
    // Two rounds, the second measured: the first lets the server finish growing its tables.
    Figures figures;
    for (int round = 0; round < 2; ++round) {
      std::vector<double> latencies;
      std::vector<TokenCounts> counts;
      std::size_t failures = 0;
      const auto start = Clock::now();
      for (const auto& tokens : messages) {
        const auto t0 = Clock::now();
        failures += !lookupOnce(redis, layout, packed_sha, tokens, counts);
        latencies.push_back(secondsSince(t0) * 1e6);
      }
      figures = summarise(std::move(latencies), secondsSince(start), failures);
    }
    const std::size_t failures = figures.failures;
    std::printf("  lookup %6.0f msg/s  p50 %7.1f us  p99 %7.1f us%s\n", figures.rate,
                figures.p50_us, figures.p99_us, failures > 0 ? "  FAILED" : "");
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string("0"); };
    if (arg == "--corpus")
      options.corpus = next();
    else if (arg == "--messages")
      options.messages = std::stoul(next());
    else if (arg == "--seconds")
      options.seconds = std::stod(next());
    else if (arg == "--sa-messages")
      options.sa_messages = std::stoul(next());
    else if (arg == "--no-redis")
      options.redis = false;
    else if (arg == "--no-sa")
      options.sa = false;
    else if (arg == "--redis-layouts")
      options.layouts = true;
    else {
      std::cerr << "usage: classifier_bench [--corpus DIR] [--messages N] [--seconds S] "
                   "[--sa-messages N] [--no-redis] [--no-sa] [--redis-layouts]\n";
      return 2;
    }
  }
  if (!fs::is_directory(fs::path(options.corpus) / "spam-1")) {
    std::cerr << "no corpus in " << options.corpus << " (tests/support/fetch-corpus.sh)\n";
    return 1;
  }

  auto start = Clock::now();
  const auto samples = loadCorpus(options);
  std::printf("corpus: %zu messages from %s, parsed and rendered in %.2f s (not counted below)\n",
              samples.size(), options.corpus.c_str(), secondsSince(start));

  test::TempDir dir("classifier-bench");
  auto sqlite = SqliteStore::open(dir / "classifier.db");
  if (!sqlite) {
    std::cerr << sqlite.error << "\n";
    return 1;
  }
  const BackendFigures embedded = run("sqlite", *sqlite, samples, options);

  BackendFigures redis;
  std::unique_ptr<test::RedisServer> server;
  if (options.redis) {
    server = std::make_unique<test::RedisServer>();
    RedisStoreOptions redis_options;
    redis_options.endpoint.port = server->port();
    redis_options.endpoint.timeout = std::chrono::milliseconds(1000);
    redis = run("redis", std::make_shared<RedisStore>(redis_options), samples, options);
    printServerTimes(server->port());
  }

  if (options.layouts) compareLayouts(samples);

  const double sa_rate = options.sa ? saLearnRate(samples, options.sa_messages) : 0;

  std::printf("\ngoals (embedded): classify >= 20000 msg/s/core: %s; learn >= 5000 msg/s: %s\n",
              embedded.classify.rate >= 20000 ? "met" : "NOT met",
              embedded.learn.rate >= 5000 ? "met" : "NOT met");
  std::printf("spam caught (p >= 0.5, on the learnt messages): sqlite %.1f%%",
              embedded.spam_caught * 100);
  if (options.redis) std::printf(", redis %.1f%%", redis.spam_caught * 100);
  std::printf("\n");
  if (sa_rate > 0) {
    std::printf("learn ratio vs sa-learn: sqlite %.0fx", embedded.learn.rate / sa_rate);
    if (options.redis) std::printf(", redis %.0fx", redis.learn.rate / sa_rate);
    std::printf("\n");
  }
  return 0;
}
