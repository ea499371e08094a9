// SpamAssassin's stock rules (/usr/share/spamassassin, the oracle of the rule language) load,
// compile and run: at least 99% of the regular-expression and existence rules (header, body,
// rawbody, full, uri, mimeheader; eval rules excluded) are runnable, meta rules evaluate, and
// well-known rules fire on messages made for them, and the scan's shortcuts change no result on
// the corpus. The first compile takes minutes on a busy
// machine; the databases are cached under the build directory, so reruns take seconds.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "filters/content/message_view.h"
#include "filters/content/pattern_rewrite.h"
#include "filters/content/re2_pattern.h"
#include "filters/content/rule_engine.h"
#include "gateway/mime/message.h"

namespace portcullis::content {
namespace {

constexpr const char* kStockRules = "/usr/share/spamassassin";

class StockRules : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists(kStockRules)) return;
    EngineConfig config;
    config.rule_paths = {kStockRules};
    config.compile.cache_dir =
        std::filesystem::path(PORTCULLIS_BINARY_DIR) / "content-stock-rules-cache";
    config.compile.score_set = 0;
    loaded_ = new LoadResult(loadAndCompile(config));
  }
  static void TearDownTestSuite() {
    delete loaded_;
    loaded_ = nullptr;
  }
  void SetUp() override {
    if (!loaded_) GTEST_SKIP() << "SpamAssassin's rules are not installed at " << kStockRules;
  }
  static std::map<std::string, const ExplainedHit*> index(const std::vector<ExplainedHit>& hits) {
    std::map<std::string, const ExplainedHit*> out;
    for (const auto& h : hits) out[h.name] = &h;
    return out;
  }
  // Calls `visit(path, view)` for every message of the corpus groups.
  template <typename Visit>
  static void forEachCorpusMessage(Visit visit) {
    const std::filesystem::path corpus = std::filesystem::path(PORTCULLIS_BINARY_DIR) / "corpus";
    for (const char* group : {"easy-ham-1", "spam-1"}) {
      ASSERT_TRUE(std::filesystem::is_directory(corpus / group))
          << corpus / group << " is missing: run tests/support/fetch-corpus.sh " << corpus;
      for (const auto& entry : std::filesystem::directory_iterator(corpus / group)) {
        if (entry.path().extension() != ".txt") continue;
        std::ifstream in(entry.path(), std::ios::binary);
        const std::string raw((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
        const mime::Message message = mime::Message::parse(raw);
        visit(entry.path(), viewOfMessage(message));
      }
    }
  }
  static LoadResult* loaded_;
};
LoadResult* StockRules::loaded_ = nullptr;

TEST_F(StockRules, ParseWithoutErrors) {
  for (const auto& d : loaded_->diagnostics)
    EXPECT_NE(d.severity, Severity::Error) << formatDiagnostic(d);
  ASSERT_TRUE(loaded_->rules);
}

TEST_F(StockRules, AtLeast99PercentOfPatternRulesRun) {
  ASSERT_TRUE(loaded_->rules);
  size_t total = 0, runnable = 0;
  for (const auto& cr : loaded_->rules->rules()) {
    if (cr.rule.type == RuleType::Meta || cr.rule.is_eval) continue;
    ++total;
    if (cr.engine != Engine::Disabled) {
      ++runnable;
    } else {
      std::cout << "disabled " << cr.rule.name << ": " << cr.disabled_reason << "\n";
    }
  }
  std::cout << runnable << " of " << total << " pattern rules run\n";
  ASSERT_GT(total, 1000u);
  EXPECT_GE(static_cast<double>(runnable) / static_cast<double>(total), 0.99);
}

TEST_F(StockRules, MetaRulesAllCompile) {
  size_t metas = 0, disabled = 0;
  for (const auto& cr : loaded_->rules->rules()) {
    if (cr.rule.type != RuleType::Meta) continue;
    ++metas;
    if (cr.engine == Engine::Disabled) {
      ++disabled;
      ADD_FAILURE() << cr.rule.name << ": " << cr.disabled_reason;
    }
  }
  EXPECT_GT(metas, 500u);
  EXPECT_EQ(disabled, 0u);
}

TEST_F(StockRules, KnownRulesFireAndMetasEvaluate) {
  const std::string raw =
      "From: Someone <someone@example.org>\r\nTo: you@example.net\r\nSubject: test\r\n"
      "\r\n"
      "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X\r\n";
  const mime::Message message = mime::Message::parse(raw);
  auto hits = scanMessage(*loaded_->rules, message, true);
  auto by_name = index(hits);
  EXPECT_TRUE(by_name.count("GTUBE"));
  EXPECT_TRUE(by_name.count("MISSING_DATE"));  // meta over an exists: sub-rule
  EXPECT_TRUE(by_name.count("MISSING_MID"));

  const std::string normal =
      "From: Someone <someone@example.org>\r\nTo: you@example.net\r\nSubject: test\r\n"
      "Date: Mon, 2 Mar 2026 10:00:00 +0000\r\nMessage-ID: <abc@example.org>\r\n\r\nHello.\r\n";
  const mime::Message plain = mime::Message::parse(normal);
  auto plain_hits = index(scanMessage(*loaded_->rules, plain, false));
  EXPECT_FALSE(plain_hits.count("GTUBE"));
  EXPECT_FALSE(plain_hits.count("MISSING_DATE"));
  EXPECT_FALSE(plain_hits.count("MISSING_MID"));
}

// The two speed-ups change no result on real mail: the plain-text databases (against the same
// rules without them) and settling only what the verdict needs (against settling every rule).
TEST_F(StockRules, PlainTextDatabasesAndVerdictScansChangeNoResultOnTheCorpus) {
  size_t plain_groups = 0;
  for (const auto& group : loaded_->rules->groups()) plain_groups += !group.plain_databases.empty();
  ASSERT_GT(plain_groups, 0u) << "no group has a plain-text database";
  EngineConfig config;
  config.rule_paths = {kStockRules};
  config.compile.cache_dir =
      std::filesystem::path(PORTCULLIS_BINARY_DIR) / "content-stock-rules-cache";
  config.compile.score_set = 0;
  config.compile.plain_text_databases = false;
  const LoadResult without_plain = loadAndCompile(config);
  ASSERT_TRUE(without_plain.rules);

  const auto counts = [](const CompiledRules& rules, const ScanResult& result, bool reported) {
    std::map<std::string, int> out;
    for (const auto& hit : result.hits) {
      const auto& cr = rules.rules()[hit.rule];
      if (!reported || cr.reported) out[cr.rule.name] = hit.count;
    }
    return out;
  };
  size_t scanned = 0, plain_bodies = 0;
  forEachCorpusMessage([&](const std::filesystem::path& path, const ContentView& view) {
    plain_bodies += isPlainText(view.body);
    const auto& rules = *loaded_->rules;
    const ScanResult every = rules.scan(view);
    EXPECT_EQ(counts(rules, every, false),
              counts(*without_plain.rules, without_plain.rules->scan(view), false))
        << path;
    EXPECT_EQ(counts(rules, every, true),
              counts(rules, rules.scan(view, {}, false, ScanDepth::Verdict), true))
        << path;
    ++scanned;
  });
  EXPECT_GT(scanned, 2000u);
  EXPECT_GT(plain_bodies, scanned / 2);
}

// A cold start serves on the confirming engines (PCRE2, RE2) while Hyperscan's databases compile:
// on a sample of the corpus every rule gives what the full compile gives.
TEST_F(StockRules, ColdStartEnginesGiveTheSameHitsOnTheCorpus) {
  const auto empty_cache =
      std::filesystem::path(PORTCULLIS_BINARY_DIR) / "content-cold-start-cache";
  std::filesystem::remove_all(empty_cache);
  EngineConfig config;
  config.rule_paths = {kStockRules};
  config.compile.cache_dir = empty_cache;
  config.compile.score_set = 0;
  config.compile.hyperscan_from_cache_only = true;
  const LoadResult cold = loadAndCompile(config);
  ASSERT_TRUE(cold.rules);
  EXPECT_EQ(cold.rules->summary().groups_without_hyperscan, cold.rules->summary().groups);
  EXPECT_EQ(cold.rules->summary().rules_loaded, loaded_->rules->summary().rules_loaded);

  const auto counts = [](const CompiledRules& rules, const ScanResult& result) {
    std::map<std::string, int> out;
    for (const auto& hit : result.hits) out[rules.rules()[hit.rule].rule.name] = hit.count;
    return out;
  };
  constexpr size_t kEvery = 10;  // the confirming engines are slow: a tenth of the corpus
  size_t seen = 0, compared = 0;
  forEachCorpusMessage([&](const std::filesystem::path& path, const ContentView& view) {
    if (seen++ % kEvery != 0) return;
    EXPECT_EQ(counts(*loaded_->rules, loaded_->rules->scan(view)),
              counts(*cold.rules, cold.rules->scan(view)))
        << path;
    ++compared;
  });
  EXPECT_GT(compared, 200u);
  std::filesystem::remove_all(empty_cache);
}

// Rules run by Hyperscan, exact or as a prefilter confirmed by PCRE2, give what PCRE2 alone gives
// on every piece, SpamAssassin's way, on the whole corpus: scanning the pieces joined by newlines
// misses no match (anchors at a piece's edges included), and no match spans two pieces.
// The pieces SpamAssassin matches a body or rawbody rule against: its lines, each with its newline.
std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const size_t end = std::min(text.find('\n'), text.size() - 1) + 1;
    out.push_back(text.substr(0, end));
    text.remove_prefix(end);
  }
  return out;
}

TEST_F(StockRules, HyperscanRulesAgreeWithPcreOnEveryPiece) {
  const auto& rules = *loaded_->rules;
  size_t checked = 0, hits = 0;
  forEachCorpusMessage([&](const std::filesystem::path& path, const ContentView& view) {
    std::map<size_t, int> found;
    for (const auto& hit : rules.scan(view).hits) found[hit.rule] = hit.count;
    for (size_t i = 0; i < rules.rules().size(); ++i) {
      const auto& cr = rules.rules()[i];
      if ((cr.engine != Engine::HyperscanPrefilter && cr.engine != Engine::Hyperscan) || !cr.pcre ||
          cr.rule.negated)
        continue;
      std::vector<std::string_view> pieces;
      if (cr.rule.type == RuleType::Body) pieces = lines(view.body);
      if (cr.rule.type == RuleType::RawBody) pieces = lines(view.rawbody);
      if (cr.rule.type == RuleType::Uri) pieces = view.uris;
      if (pieces.empty()) continue;
      int expected = 0;
      for (std::string_view piece : pieces) {
        if (cr.rule.tflag_multiple) {
          expected += cr.pcre->count(piece, cr.rule.maxhits ? cr.rule.maxhits - expected : 0);
          if (cr.rule.maxhits && expected >= cr.rule.maxhits) break;
        } else if (cr.pcre->matches(piece)) {
          expected = 1;
          break;
        }
      }
      EXPECT_EQ(found.count(i) ? found[i] : 0, expected) << cr.rule.name << " on " << path;
      ++checked;
      hits += expected > 0;
    }
  });
  EXPECT_GT(checked, 10000u);
  EXPECT_GT(hits, 100u);
}

// RE2 stands in for PCRE2 on every text without a vertical tab, plain or not; where it only
// filters, it passes every piece PCRE2 matches.
TEST_F(StockRules, Re2AgreesWithPcreOnEveryPieceOfTheCorpus) {
  const auto& rules = *loaded_->rules;
  size_t rules_with_re2 = 0, high_byte_pieces = 0, hits = 0;
  for (const auto& cr : rules.rules()) rules_with_re2 += cr.re2 != nullptr;
  EXPECT_GE(rules_with_re2, 5u);
  forEachCorpusMessage([&](const std::filesystem::path& path, const ContentView& view) {
    for (const auto& cr : rules.rules()) {
      if (!cr.re2 || !cr.pcre) continue;
      std::string_view text = cr.rule.type == RuleType::RawBody ? view.rawbody : view.body;
      if (cr.rule.type != RuleType::Body && cr.rule.type != RuleType::RawBody) continue;
      for (std::string_view piece : lines(text)) {
        if (!Re2Pattern::agreeOn(piece)) continue;
        const bool expected = cr.pcre->matches(piece);
        if (cr.re2->exact()) {
          ASSERT_EQ(cr.re2->matches(piece), expected)
              << cr.rule.name << " on " << path << ": " << piece;
        } else if (expected) {
          ASSERT_TRUE(cr.re2->matches(piece))
              << "filter of " << cr.rule.name << " misses on " << path << ": " << piece;
        }
        high_byte_pieces += !isPlainText(piece);
        hits += expected;
      }
    }
  });
  EXPECT_GT(high_byte_pieces, 5000u);
  EXPECT_GT(hits, 10u);
}

}  // namespace
}  // namespace portcullis::content
