// Lookups per second and latency of the c-ares resolver against a loopback dnsmasq, with a cold
// cache (cache disabled: every lookup reaches the server) and a warm one. Run by hand:
//   build/tests/bench/dns/dns_bench
#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>
#include <optional>

#include "gateway/dns/cares_resolver.h"
#include "gateway/dns/parallel_queries.h"
#include "tests/support/dnsmasq_server.h"

namespace portcullis::dns {
namespace {

constexpr int kNames = 1000;

std::vector<std::string> benchRecords() {
  std::vector<std::string> records;
  for (int i = 0; i < kNames; ++i)
    records.push_back("host-record=h" + std::to_string(i) + ".bench.test,192.0.2." +
                      std::to_string(i % 250 + 1));
  return records;
}

// Started on first use, stopped (and its directory removed) at exit.
test::DnsmasqServer& server() {
  static test::DnsmasqServer instance(benchRecords());
  return instance;
}

struct Rig {
  explicit Rig(size_t cache_entries) {
    DnsConfig config;
    config.servers = {server().address()};
    config.cache_entries = cache_entries;
    config.max_in_flight = 256;
    resolver = std::make_unique<CaresResolver>(io.get_executor(), config);
  }
  ~Rig() { resolver.reset(); }

  template <typename T>
  T wait(awaitable<T> work) {
    std::optional<T> result;
    asio::co_spawn(
        io, [&]() -> awaitable<void> { result = co_await std::move(work); },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
    while (!result) {
      if (io.run_one() == 0) io.restart();  // ran out of work between two lookups
    }
    return std::move(*result);
  }

  asio::io_context io;
  std::unique_ptr<CaresResolver> resolver;
};

std::string name(int i) {
  return "h" + std::to_string(i % kNames) + ".bench.test";
}

// One lookup at a time: the round-trip latency.
void sequential(benchmark::State& state, size_t cache_entries) {
  Rig rig(cache_entries);
  int i = 0;
  if (cache_entries) {
    for (int n = 0; n < kNames; ++n) rig.wait(rig.resolver->query(name(n), RrType::A));
  }
  for (auto _ : state) {
    Answer a = rig.wait(rig.resolver->query(name(i++), RrType::A));
    if (!a.ok()) state.SkipWithError("lookup failed");
  }
  state.SetItemsProcessed(state.iterations());
}

// Batches of concurrent lookups: the throughput.
void concurrent(benchmark::State& state, size_t cache_entries) {
  Rig rig(cache_entries);
  const int batch = static_cast<int>(state.range(0));
  if (cache_entries) {
    for (int n = 0; n < kNames; ++n) rig.wait(rig.resolver->query(name(n), RrType::A));
  }
  int next = 0;
  for (auto _ : state) {
    std::vector<Question> questions;
    for (int k = 0; k < batch; ++k) questions.push_back({name(next++), RrType::A});
    auto answers = rig.wait(queryAll(*rig.resolver, std::move(questions)));
    for (const auto& a : answers) {
      if (!a.ok()) state.SkipWithError("lookup failed");
    }
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

void BM_LatencyColdCache(benchmark::State& state) {
  sequential(state, 0);
}
void BM_LatencyWarmCache(benchmark::State& state) {
  sequential(state, 100'000);
}
void BM_ThroughputColdCache(benchmark::State& state) {
  concurrent(state, 0);
}
void BM_ThroughputWarmCache(benchmark::State& state) {
  concurrent(state, 100'000);
}

BENCHMARK(BM_LatencyColdCache)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_LatencyWarmCache)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_ThroughputColdCache)->Arg(16)->Arg(128)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ThroughputWarmCache)->Arg(16)->Arg(128)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace portcullis::dns

BENCHMARK_MAIN();
