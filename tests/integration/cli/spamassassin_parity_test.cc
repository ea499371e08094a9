// Detection parity with SpamAssassin itself: `portcullis scan --json` with SpamAssassin's stock
// rules (offline, so score set 0: no network, no Bayes) runs over the development corpus groups,
// and every message's verdict and reported rules are compared with what `spamd -L` said about the
// same message (tests/data/spamassassin-reference.tsv, written by
// tests/support/spamassassin-reference.py). The test prints the agreement figures, the rules that
// disagree most and every message whose verdict differs; PARITY_RULES=A,B lists every message
// where rule A or B disagrees. Rule hits are compared over the rules both engines run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include <boost/json.hpp>

#include "filters/content/rule_engine.h"
#include "gateway/base/text.h"
#include "tests/support/gateway_process.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace portcullis::content {
namespace {

namespace fs = std::filesystem;

constexpr const char* kStockRules = "/usr/share/spamassassin";
constexpr double kRequiredScore = 5.0;  // SpamAssassin's default required_score

// What must hold on each group (the terms): the same verdict on 99.5% of messages, a
// rule-hit F1 of 0.99, spam flagged within one point of SpamAssassin's rate, ham flagged no more.
constexpr double kMinimumSameVerdict = 0.995;
constexpr double kMinimumRuleF1 = 0.99;
constexpr double kMaximumSpamRateDifference = 0.01;

struct Reference {
  std::string file;  // group/name.txt under the corpus directory
  bool spam = false;
  double score = 0;
  std::set<std::string> rules;
};

std::vector<Reference> readReference(const fs::path& path, std::string& version) {
  std::vector<Reference> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# SpamAssassin ", 0) == 0) version = line.substr(2, line.find(',') - 2);
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    Reference ref;
    std::string verdict, score, rules;
    std::getline(fields, ref.file, '\t');
    std::getline(fields, verdict, '\t');
    std::getline(fields, score, '\t');
    std::getline(fields, rules, '\t');
    ref.spam = verdict == "spam";
    ref.score = std::strtod(score.c_str(), nullptr);
    for (std::string_view rule : split(rules, ',')) {
      if (!rule.empty()) ref.rules.emplace(rule);
    }
    out.push_back(std::move(ref));
  }
  return out;
}

// What `portcullis scan --json` said about one message.
struct Scanned {
  double score = 0;
  std::set<std::string> symbols;
};

// Runs `portcullis scan --json` over the corpus groups with the stock rules; keyed by the path
// relative to `corpus`.
std::map<std::string, Scanned> scanCorpus(const fs::path& corpus, const fs::path& cache) {
  test::TempDir dir("parity");
  test::writeFile(dir / "portcullis.toml",
                  "[domains]\nlocal = [\"localhost\"]\n[checks.content]\nrules = [\"" +
                      std::string(kStockRules) + "\"]\ncache_dir = \"" + cache.string() + "\"\n");
  const auto result =
      test::runCommand({test::portcullisBinary().string(), "scan", "--json", "-c",
                        (dir / "portcullis.toml").string(), (corpus / "easy-ham-1").string(),
                        (corpus / "spam-1").string()},
                       "", std::chrono::minutes(20));
  EXPECT_EQ(result.exit_code, 0) << result.output.substr(0, 4000);
  std::map<std::string, Scanned> out;
  std::istringstream lines(result.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("{\"file\":", 0) != 0) continue;  // log lines share the output
    const boost::json::object object = boost::json::parse(line).as_object();
    Scanned scanned;
    scanned.score = object.at("score").to_number<double>();
    for (const auto& symbol : object.at("symbols").as_array())
      scanned.symbols.emplace(symbol.as_string());
    const fs::path file(std::string(object.at("file").as_string()));
    out[fs::relative(file, corpus).string()] = std::move(scanned);
  }
  return out;
}

std::string joined(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

struct RuleTally {
  size_t both = 0, only_spamassassin = 0, only_ours = 0;
};

struct GroupTally {
  size_t messages = 0, same_verdict = 0, flagged_by_spamassassin = 0, flagged_by_us = 0;
  size_t both = 0, only_spamassassin = 0, only_ours = 0;  // rule hits

  double sameVerdict() const { return static_cast<double>(same_verdict) / messages; }
  double f1() const { return both ? 2.0 * both / (2.0 * both + only_spamassassin + only_ours) : 0; }
  double rate(size_t flagged) const { return static_cast<double>(flagged) / messages; }
};

TEST(SpamAssassinParity, StockRulesDecideAsSpamAssassinDoesOnTheCorpus) {
  if (!fs::exists(kStockRules)) GTEST_SKIP() << "SpamAssassin's rules are not installed";
  std::string version;
  const auto reference = readReference(
      fs::path(PORTCULLIS_SOURCE_DIR) / "tests/data/spamassassin-reference.tsv", version);
  ASSERT_FALSE(reference.empty()) << "tests/data/spamassassin-reference.tsv is missing or empty";
  const fs::path corpus = fs::path(PORTCULLIS_BINARY_DIR) / "corpus";

  // Which rules our engine runs, from the same rules and cache the scan uses.
  EngineConfig config;
  config.rule_paths = {kStockRules};
  config.compile.cache_dir = fs::path(PORTCULLIS_BINARY_DIR) / "content-stock-rules-cache";
  config.compile.score_set = 0;
  const LoadResult loaded = loadAndCompile(config);
  ASSERT_TRUE(loaded.rules);
  std::set<std::string> runnable;
  for (const auto& cr : loaded.rules->rules()) {
    if (cr.engine != Engine::Disabled) runnable.insert(cr.rule.name);
  }
  const auto scanned = scanCorpus(corpus, config.compile.cache_dir);

  std::set<std::string> watched;
  if (const char* env = std::getenv("PARITY_RULES")) {
    for (std::string_view name : split(env, ',')) watched.emplace(name);
  }

  std::map<std::string, RuleTally> tally;
  std::map<std::string, GroupTally> groups;
  std::vector<std::string> verdict_differences;
  std::set<std::string> disabled_hits;  // rules SpamAssassin hit that we cannot run
  for (const auto& ref : reference) {
    const fs::path path = corpus / ref.file;
    const auto it = scanned.find(ref.file);
    ASSERT_NE(it, scanned.end()) << "scan said nothing about " << path;
    const double score = it->second.score;
    std::set<std::string> ours;
    for (const auto& name : it->second.symbols) {
      if (runnable.count(name)) ours.insert(name);
    }
    std::set<std::string> theirs;
    for (const auto& name : ref.rules) {
      if (runnable.count(name)) {
        theirs.insert(name);
      } else {
        disabled_hits.insert(name);
      }
    }
    std::set<std::string> only_theirs, only_ours;
    for (const auto& name : theirs) {
      if (ours.count(name)) {
        ++tally[name].both;
      } else {
        ++tally[name].only_spamassassin;
        only_theirs.insert(name);
      }
    }
    for (const auto& name : ours) {
      if (!theirs.count(name)) {
        ++tally[name].only_ours;
        only_ours.insert(name);
      }
    }
    const bool spam = score >= kRequiredScore;
    GroupTally& group = groups[ref.file.substr(0, ref.file.find('/'))];
    group.both += theirs.size() - only_theirs.size();
    group.only_spamassassin += only_theirs.size();
    group.only_ours += only_ours.size();
    ++group.messages;
    group.same_verdict += spam == ref.spam;
    group.flagged_by_spamassassin += ref.spam;
    group.flagged_by_us += spam;
    if (spam != ref.spam) {
      char line[160];
      std::snprintf(line, sizeof line, "%s: SpamAssassin %.1f, ours %.1f", ref.file.c_str(),
                    ref.score, score);
      verdict_differences.push_back(std::string(line) + "; only SpamAssassin: " +
                                    joined(only_theirs) + "; only ours: " + joined(only_ours));
    }
    for (const auto& name : watched) {
      if (only_theirs.count(name) || only_ours.count(name)) {
        std::printf("watched %s: %s in %s\n", name.c_str(),
                    only_theirs.count(name) ? "missed" : "extra", path.c_str());
      }
    }
  }

  std::vector<std::pair<std::string, RuleTally>> worst(tally.begin(), tally.end());
  std::sort(worst.begin(), worst.end(), [](const auto& a, const auto& b) {
    return a.second.only_spamassassin + a.second.only_ours >
           b.second.only_spamassassin + b.second.only_ours;
  });
  std::printf("Reference: %s (%zu messages)\n", version.c_str(), reference.size());
  for (const auto& [name, g] : groups) {
    std::printf(
        "%-12s same verdict %6.2f%%; flagged: SpamAssassin %5.1f%%, ours %5.1f%%; rule hits F1 "
        "%.4f (%zu both, %zu only SpamAssassin, %zu only ours)\n",
        name.c_str(), 100 * g.sameVerdict(), 100 * g.rate(g.flagged_by_spamassassin),
        100 * g.rate(g.flagged_by_us), g.f1(), g.both, g.only_spamassassin, g.only_ours);
  }
  std::printf("rules SpamAssassin hit that we cannot run: %s\n", joined(disabled_hits).c_str());
  std::printf("rules that disagree most (only SpamAssassin / only ours / both):\n");
  for (size_t i = 0; i < worst.size() && i < 40; ++i) {
    const auto& [name, t] = worst[i];
    if (t.only_spamassassin + t.only_ours == 0) break;
    std::printf("  %-32s %5zu %5zu %5zu\n", name.c_str(), t.only_spamassassin, t.only_ours, t.both);
  }
  std::printf("messages whose verdict differs:\n");
  for (const auto& line : verdict_differences) std::printf("  %s\n", line.c_str());

  ASSERT_EQ(groups.size(), 2u);
  for (const auto& [name, g] : groups) {
    EXPECT_GE(g.sameVerdict(), kMinimumSameVerdict) << name;
    EXPECT_GE(g.f1(), kMinimumRuleF1) << name;
  }
  const GroupTally& spam = groups["spam-1"];
  const GroupTally& ham = groups["easy-ham-1"];
  EXPECT_LE(std::abs(spam.rate(spam.flagged_by_us) - spam.rate(spam.flagged_by_spamassassin)),
            kMaximumSpamRateDifference);
  EXPECT_LE(ham.flagged_by_us, ham.flagged_by_spamassassin);
}

}  // namespace
}  // namespace portcullis::content
