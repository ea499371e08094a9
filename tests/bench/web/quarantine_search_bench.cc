// The web console's list page on a large quarantine: generates an index of N messages (default
// 100,000; random senders, recipients, subjects, symbols and arrivals over 30 days) in a scratch
// directory, then times one list page (query + HTML) for each kind of search the console offers.
// Prints milliseconds per page and the ratio to the unfiltered first page of the same run.
#include <fmt/format.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <random>

#include "gateway/quarantine/quarantine_index.h"
#include "gateway/web/pages.h"

namespace q = portcullis::quarantine;
namespace web = portcullis::web;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kPageSize = 50;

void generate(q::QuarantineIndex& index, size_t count) {
  std::mt19937 random(42);
  const char* words[] = {"cheap",  "watches",    "invoice", "meeting", "offer",  "prize",
                         "photos", "newsletter", "urgent",  "account", "winner", "report"};
  const char* symbols[] = {"BAYES_99",     "URIBL_BLACK",   "RCVD_IN_SBL", "HTML_MESSAGE",
                           "MISSING_DATE", "FREEMAIL_FROM", "SPF_FAIL",    "DKIM_INVALID"};
  auto now = q::Clock::now();
  for (size_t i = 0; i < count; ++i) {
    q::Entry e;
    e.id = fmt::format("B{:017}", i);
    e.arrival = now - std::chrono::seconds(random() % (30 * 86400));
    e.client = "192.0.2.1";
    e.sender = fmt::format("user{}@sender{}.test", random() % 5000, random() % 500);
    e.recipients = {fmt::format("rcpt{}@example.org", random() % 2000)};
    e.details.subject =
        fmt::format("{} {} {}", words[random() % 12], words[random() % 12], random() % 100000);
    e.details.score = 10 + static_cast<double>(random() % 100) / 10;
    for (int s = 0; s < 3; ++s) e.details.symbols.push_back({symbols[random() % 8], 1.5});
    e.details.reason = "score";
    e.size = 4000;
    if (auto put = index.put(e); !put) throw std::runtime_error(put.error);
  }
}

double pageMillis(q::QuarantineIndex& index, q::Filter filter, int rounds) {
  filter.limit = kPageSize + 1;
  auto start = Clock::now();
  size_t bytes = 0;
  for (int r = 0; r < rounds; ++r) {
    auto entries = index.list(filter);
    if (!entries) throw std::runtime_error(entries.error);
    web::ListPage page;
    page.entries = std::move(*entries);
    page.base = "/quarantine";
    page.item_base = "/message";
    bytes += web::listPage({"admin", "", "token"}, {}, page).size();
  }
  auto elapsed = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return bytes == 0 ? 0 : elapsed / rounds;
}

}  // namespace

int main(int argc, char** argv) {
  size_t count = argc > 1 ? std::stoul(argv[1]) : 100'000;
  int rounds = argc > 2 ? std::stoi(argv[2]) : 5;
  std::string pattern =
      (std::filesystem::temp_directory_path() / "portcullis-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return 1;
  std::filesystem::path dir = pattern;
  auto index = q::QuarantineIndex::open(dir / "index.sqlite3");
  if (!index) {
    fmt::print(stderr, "{}\n", index.error);
    return 1;
  }
  auto start = Clock::now();
  generate(**index, count);
  fmt::print("generated {} entries in {:.1f} s\n", count,
             std::chrono::duration<double>(Clock::now() - start).count());

  auto now = q::Clock::now();
  struct Case {
    const char* name;
    q::Filter filter;
  };
  std::vector<Case> cases = {
      {"first page, no search", {}},
      {"page 100", {.offset = 99 * kPageSize}},
      {"sender part", {.sender = "user42@", .partial_addresses = true}},
      {"recipient part", {.rcpt = "rcpt7@", .partial_addresses = true}},
      {"subject part", {.subject = "prize winner"}},
      {"symbol", {.symbol = "SPF_FAIL"}},
      {"date range (one day)", {.since = now - 48h, .until = now - 24h}},
      {"symbol + subject + dates",
       {.since = now - 240h, .subject = "urgent", .symbol = "BAYES_99"}},
      {"subject with no match", {.subject = "no such words"}},
  };
  double baseline = 0;
  fmt::print("{:<28} {:>10} {:>8}\n", "search (one page of 50)", "ms/page", "ratio");
  for (const auto& c : cases) {
    double ms = pageMillis(**index, c.filter, rounds);
    if (baseline == 0) baseline = ms;
    fmt::print("{:<28} {:>10.2f} {:>8.2f}\n", c.name, ms, ms / baseline);
  }
  index->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
