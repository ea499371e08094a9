// check_bayes and the classifier in the content engine: SpamAssassin's buckets answered from a
// real store trained on generated messages, no BAYES_* hit while the store has learnt too little
// or fails (BAYES_UNAVAILABLE from the content check instead), one classification per message
// and none without a check_bayes rule, and autolearn's thresholds and background learner.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "filters/classifier/classifier.h"
#include "filters/classifier/sqlite_store.h"
#include "filters/classifier/unavailable_store.h"
#include "filters/content/autolearn.h"
#include "filters/content/background_learner.h"
#include "filters/content/content_check.h"
#include "filters/content/eval/classifier_facts.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/content/eval/eval_test_support.h"

namespace portcullis::content {
namespace {

using classifier::Classifier;
using classifier::ClassifierSettings;
using classifier::MessageClass;
using testing::compileText;
using testing::disabledReason;
using testing::scanWith;

// The bucket rules of SpamAssassin's 23_bayes.cf, with its set 2 and 3 scores (50_scores.cf).
const char* kBayesRules = R"(
body BAYES_00  eval:check_bayes('0.00', '0.01')
body BAYES_05  eval:check_bayes('0.01', '0.05')
body BAYES_20  eval:check_bayes('0.05', '0.20')
body BAYES_40  eval:check_bayes('0.20', '0.40')
body BAYES_50  eval:check_bayes('0.40', '0.60')
body BAYES_60  eval:check_bayes('0.60', '0.80')
body BAYES_80  eval:check_bayes('0.80', '0.95')
body BAYES_95  eval:check_bayes('0.95', '0.99')
body BAYES_99  eval:check_bayes('0.99', '1.00')
body BAYES_999 eval:check_bayes('0.999', '1.00')
body BAYES_UNBOUNDED eval:check_bayes('0.5', 'undef')
tflags BAYES_00 nice learn
tflags BAYES_05 nice learn
tflags BAYES_20 nice learn
tflags BAYES_40 nice learn
tflags BAYES_50 learn
tflags BAYES_60 learn
tflags BAYES_80 learn
tflags BAYES_95 learn
tflags BAYES_99 learn
tflags BAYES_999 learn
tflags BAYES_UNBOUNDED learn
score BAYES_00  0 0 -1.5 -1.9
score BAYES_05  0 0 -0.3 -0.5
score BAYES_20  0 0 -0.001 -0.001
score BAYES_40  0 0 -0.001 -0.001
score BAYES_50  0 0 2.0 0.8
score BAYES_60  0 0 2.5 1.5
score BAYES_80  0 0 2.7 2.0
score BAYES_95  0 0 3.2 3.0
score BAYES_99  0 0 3.8 3.5
score BAYES_999 0 0 0.2 0.2
)";

const std::vector<std::string> kBuckets = {"BAYES_00", "BAYES_05", "BAYES_20",
                                           "BAYES_40", "BAYES_50", "BAYES_60",
                                           "BAYES_80", "BAYES_95", "BAYES_99"};

// Writes messages of two kinds that share common words but differ in their vocabulary.
class MessageMaker {
 public:
  explicit MessageMaker(unsigned seed) : random_(seed) {}

  std::string make(MessageClass cls) {
    static const std::vector<std::string> common = {
        "the",  "and",  "please", "today", "about", "your", "this", "with", "have",  "will",
        "from", "more", "know",   "time",  "just",  "like", "week", "need", "there", "what"};
    static const std::vector<std::string> spammy = {
        "winner",  "prize",      "casino",  "pills",      "discount", "offer",     "lottery",
        "bitcoin", "guaranteed", "cheap",   "millions",   "viagra",   "unsecured", "refinance",
        "bonus",   "exclusive",  "miracle", "investment", "rolex",    "jackpot"};
    static const std::vector<std::string> hammy = {
        "meeting",  "agenda",   "patch",     "review",  "kernel",  "compile", "seminar",
        "detector", "analysis", "draft",     "physics", "results", "library", "colloquium",
        "thesis",   "beamtime", "calibrate", "cluster", "minutes", "referee"};
    const auto& words = cls == MessageClass::Spam ? spammy : hammy;
    const int n = ++count_;
    std::string body;
    for (int i = 0; i < 60; ++i) {
      const auto& pool = pick(2) == 0 ? common : words;
      body += pool[pick(pool.size())];
      body += (i % 12 == 11) ? "\n" : " ";
    }
    const std::string from = cls == MessageClass::Spam ? "deals" : "colleague";
    const std::string subject = cls == MessageClass::Spam
                                    ? "Exclusive offer " + words[pick(words.size())]
                                    : "Re: " + words[pick(words.size())] + " notes";
    return "From: " + from + std::to_string(pick(50)) + "@" + from + ".example\n" +
           "To: someone@example.org\nSubject: " + subject + "\nMessage-ID: <" + std::to_string(n) +
           "." + from + "@example>\n\n" + body + "\n";
  }

 private:
  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(random_); }

  std::mt19937 random_;
  int count_ = 0;
};

// Forwards to a store and counts its lookups (classifications).
class CountingStore : public classifier::TokenStore {
 public:
  explicit CountingStore(std::shared_ptr<classifier::TokenStore> inner)
      : inner_(std::move(inner)) {}
  std::string_view backend() const override { return inner_->backend(); }
  Result<classifier::StoreTotals> lookup(std::span<const classifier::TokenHash> tokens,
                                         std::span<classifier::TokenCounts> counts) override {
    ++lookups;
    return inner_->lookup(tokens, counts);
  }
  Result<classifier::LearnOutcome> learn(const classifier::MessageDigest& digest, MessageClass cls,
                                         std::span<const classifier::TokenHash> tokens) override {
    return inner_->learn(digest, cls, tokens);
  }
  Result<classifier::LearnOutcome> forget(const classifier::MessageDigest& digest,
                                          std::span<const classifier::TokenHash> tokens) override {
    return inner_->forget(digest, tokens);
  }
  Result<classifier::StoreTotals> totals() override { return inner_->totals(); }
  Status expire(std::uint64_t max_tokens) override { return inner_->expire(max_tokens); }

  std::atomic<int> lookups{0};

 private:
  std::shared_ptr<classifier::TokenStore> inner_;
};

std::shared_ptr<classifier::TokenStore> openStore(const test::TempDir& dir) {
  auto store = classifier::SqliteStore::open(dir / "classifier.db");
  EXPECT_TRUE(store.ok()) << store.error;
  return *store;
}

// What the classifier reads of a raw message, parsed as the content engine parses it.
Result<classifier::LearnOutcome> learnMessage(const Classifier& classifier, const std::string& raw,
                                              MessageClass cls) {
  const mime::Message message = mime::Message::parse(raw);
  const ContentView view = viewOfMessage(message);
  return classifier.learn(classifierInputOf(view), cls);
}

// A classifier whose store learnt `spam` and `ham` generated messages; speaks from 50 of each.
struct Trained {
  test::TempDir dir{"bayes-eval"};
  std::shared_ptr<CountingStore> store;
  std::shared_ptr<const Classifier> classifier;
  MessageMaker maker{7};

  Trained(int spam, int ham) {
    store = std::make_shared<CountingStore>(openStore(dir));
    ClassifierSettings settings;
    settings.min_spam_learned = 50;
    settings.min_ham_learned = 50;
    classifier = std::make_shared<Classifier>(store, settings);
    for (int i = 0; i < std::max(spam, ham); ++i) {
      for (const auto& [count, cls] :
           {std::pair{spam, MessageClass::Spam}, std::pair{ham, MessageClass::Ham}}) {
        if (i >= count) continue;
        EXPECT_TRUE(learnMessage(*classifier, maker.make(cls), cls).ok());
      }
    }
  }

  std::shared_ptr<const CompiledRules> rules(const char* text = kBayesRules) const {
    CompileOptions options;
    options.services.classifier = classifier;
    options.score_set = scoreSetFor(options.services);
    return compileText(text, options);
  }
};

std::vector<std::string> bucketsHit(const testing::Scanned& scanned) {
  std::vector<std::string> hit;
  for (const auto& name : kBuckets) {
    if (scanned.hit(name)) hit.push_back(name);
  }
  return hit;
}

TEST(CheckBayes, BucketBoundsAreSpamAssassins) {
  // (min, max], except that a minimum of 0 takes 0 itself.
  EXPECT_TRUE(inBayesBucket(0.0, 0.00, 0.01));
  EXPECT_TRUE(inBayesBucket(0.01, 0.00, 0.01));
  EXPECT_FALSE(inBayesBucket(0.01, 0.01, 0.05));
  EXPECT_TRUE(inBayesBucket(0.0100001, 0.01, 0.05));
  EXPECT_TRUE(inBayesBucket(0.99, 0.95, 0.99));
  EXPECT_FALSE(inBayesBucket(0.99, 0.99, 1.00));
  EXPECT_TRUE(inBayesBucket(1.0, 0.99, 1.00));
  EXPECT_FALSE(inBayesBucket(0.9985, 0.999, 1.00));
  EXPECT_TRUE(inBayesBucket(0.9995, 0.999, 1.00));
  EXPECT_TRUE(inBayesBucket(5.0, 0.5, std::nullopt));  // max "undef": no upper bound
}

TEST(CheckBayes, TrainedStoreAnswersTheBucketsAndTheRulesScoreInSetsTwoAndThree) {
  Trained trained(250, 250);
  auto rules = trained.rules();
  EXPECT_EQ(rules->options().score_set, 2);
  EXPECT_EQ(disabledReason(*rules, "BAYES_99"), "");
  EXPECT_EQ(disabledReason(*rules, "BAYES_UNBOUNDED"), "");
  EXPECT_DOUBLE_EQ(rules->rules()[*rules->find("BAYES_99")].score, 3.8);

  MessageMaker fresh(99);  // messages the store never learnt
  for (int i = 0; i < 10; ++i) {
    auto spam = scanWith(*rules, fresh.make(MessageClass::Spam));
    EXPECT_EQ(bucketsHit(spam), std::vector<std::string>{"BAYES_99"});
    EXPECT_TRUE(spam.hit("BAYES_UNBOUNDED"));
    EXPECT_TRUE(spam.hits["BAYES_99"].starts_with("classifier probability "));
    EXPECT_TRUE(spam.hits["BAYES_99"].ends_with("(learnt 250 spam, 250 ham)"));
    auto ham = scanWith(*rules, fresh.make(MessageClass::Ham));
    EXPECT_EQ(bucketsHit(ham), std::vector<std::string>{"BAYES_00"});
    EXPECT_FALSE(ham.hit("BAYES_999"));
    EXPECT_FALSE(ham.hit("BAYES_UNBOUNDED"));
  }
}

TEST(CheckBayes, OneBucketFitsWhateverTheProbability) {
  Trained trained(250, 250);
  auto rules = trained.rules();
  // A message half of each kind: whatever the probability, exactly one bucket holds it.
  MessageMaker fresh(5);
  for (int i = 0; i < 10; ++i) {
    std::string spam = fresh.make(MessageClass::Spam);
    std::string ham = fresh.make(MessageClass::Ham);
    std::string mixed = ham + spam.substr(spam.find("\n\n") + 2);
    auto scanned = scanWith(*rules, mixed);
    EXPECT_EQ(bucketsHit(scanned).size(), 1u);
  }
}

TEST(CheckBayes, NoBucketWhileTheStoreHasLearntTooLittle) {
  Trained trained(49, 300);  // one spam short of the minimum (50 here, 200 by default)
  auto rules = trained.rules();
  MessageMaker fresh(3);
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(bucketsHit(scanWith(*rules, fresh.make(MessageClass::Spam))).empty());
    EXPECT_TRUE(bucketsHit(scanWith(*rules, fresh.make(MessageClass::Ham))).empty());
  }
  ASSERT_TRUE(
      learnMessage(*trained.classifier, fresh.make(MessageClass::Spam), MessageClass::Spam).ok());
  EXPECT_EQ(bucketsHit(scanWith(*rules, fresh.make(MessageClass::Spam))),
            std::vector<std::string>{"BAYES_99"});
}

TEST(CheckBayes, DisabledWithTheReasonWithoutAClassifier) {
  auto rules = compileText(kBayesRules);
  EXPECT_EQ(disabledReason(*rules, "BAYES_99"), "needs the classifier (not configured)");
  EXPECT_NE(disabledReason(*compileText("body B eval:check_bayes('0.5')\n"), "B")
                .find("expects (min, max)"),
            std::string::npos);
}

TEST(CheckBayes, ClassifiesOncePerMessageAndOnlyWhenARuleAsks) {
  Trained trained(60, 60);
  MessageMaker fresh(11);
  const int before = trained.store->lookups;
  scanWith(*trained.rules(), fresh.make(MessageClass::Spam));  // eleven check_bayes rules
  EXPECT_EQ(trained.store->lookups, before + 1);
  scanWith(*trained.rules("body PLAIN /winner/\n"), fresh.make(MessageClass::Spam));
  EXPECT_EQ(trained.store->lookups, before + 1);
}

// The content check over a transaction of `raw`, with `services`.
// The content check's symbols for `raw`; `forced`: an action another check forced first.
std::vector<Symbol> checkSymbols(const ContentCheck& check, const std::string& raw,
                                 std::optional<ForcedAction> forced = std::nullopt) {
  Transaction tx;
  tx.id = "BAYESQID";
  tx.message = raw;
  tx.parsed = std::make_shared<const mime::Message>(mime::Message::parse(tx.message));
  Report report;
  if (forced) report.force(*forced);
  asio::io_context io;
  asio::co_spawn(io, check.run(tx, report), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  io.run();
  return report.symbols();
}

std::shared_ptr<RuleEngine> engineWith(const test::TempDir& dir, const std::string& rules,
                                       const SiteServices& services) {
  test::writeFile(dir / "rules.cf", rules);
  EngineConfig config;
  config.rule_paths = {dir / "rules.cf"};
  config.compile.services = services;
  config.compile.score_set = scoreSetFor(services);
  return RuleEngine::create(std::move(config));
}

std::map<std::string, Symbol> byName(const std::vector<Symbol>& symbols) {
  std::map<std::string, Symbol> out;
  for (const auto& s : symbols) out[s.name] = s;
  return out;
}

TEST(CheckBayes, AFailingStoreAddsBayesUnavailableAndMailFlows) {
  test::TempDir dir("bayes-unavailable");
  SiteServices services;
  services.classifier = std::make_shared<Classifier>(
      std::make_shared<classifier::UnavailableStore>("redis", "connection refused"),
      ClassifierSettings{});
  asio::thread_pool workers(1);
  ContentCheck check(engineWith(dir, std::string(kBayesRules) + "body WIN /winner/\n", services),
                     workers);
  const std::string message = "Subject: offer\n\nwinner casino\n";
  auto symbols = byName(checkSymbols(check, message));
  ASSERT_TRUE(symbols.count("BAYES_UNAVAILABLE"));
  EXPECT_DOUBLE_EQ(symbols["BAYES_UNAVAILABLE"].score, 0);
  EXPECT_NE(symbols["BAYES_UNAVAILABLE"].detail.find("connection refused"), std::string::npos);
  EXPECT_TRUE(symbols.count("WIN"));  // the other rules still ran
  for (const auto& [name, symbol] : symbols) EXPECT_FALSE(name.starts_with("BAYES_9")) << name;

  // No check_bayes rule loaded: the store is never asked, so nothing is unavailable.
  ContentCheck plain(engineWith(dir, "body WIN /winner/\n", services), workers);
  symbols = byName(checkSymbols(plain, message));
  EXPECT_TRUE(symbols.count("WIN"));
  EXPECT_FALSE(symbols.count("BAYES_UNAVAILABLE"));
  workers.join();
}

// --- autolearn --------------------------------------------------------------------------------

const char* kAutolearnRules = R"(
header HEAD_BIG   Subject =~ /offer/
score  HEAD_BIG   4 4 4 4
body   BODY_BIG   /winner/
score  BODY_BIG   4 4 4 4
uri    URI_SMALL  /deals/
score  URI_SMALL  1 1 1 1
meta   BOTH       HEAD_BIG && BODY_BIG
score  BOTH       3 3 3 3
body   NOLEARN    /jackpot/
tflags NOLEARN    noautolearn
score  NOLEARN    50
body   SETS       /prize/
score  SETS       1 1 5 5
body   BAYES_99   eval:check_bayes('0.99', '1.00')
tflags BAYES_99   learn
score  BAYES_99   0 0 3.8 3.5
body   HAMMY      /seminar/
score  HAMMY      -2
)";

AutolearnPoints pointsFor(const CompiledRules& rules, const std::string& raw) {
  const mime::Message message = mime::Message::parse(raw);
  ContentView view = viewOfMessage(message);
  return autolearnPoints(rules, rules.scan(view, {}, false, ScanDepth::Verdict));
}

TEST(Autolearn, PointsLeaveOutTheClassifierAndNoautolearnAndUseTheSetWithoutIt) {
  Trained trained(250, 250);
  auto rules = trained.rules(kAutolearnRules);
  ASSERT_EQ(rules->options().score_set, 2);
  const auto points =
      pointsFor(*rules,
                "From: a@deals.example\nSubject: offer\n\nwinner jackpot prize winner casino pills "
                "bitcoin lottery http://deals.example/x\n");
  // HEAD_BIG 4 + BODY_BIG 4 + URI_SMALL 1 + BOTH 3 + SETS 1 (set 0, not 5); not NOLEARN.
  EXPECT_DOUBLE_EQ(points.total, 13);
  EXPECT_DOUBLE_EQ(points.header, 4 + 1.5);
  EXPECT_DOUBLE_EQ(points.body, 4 + 1 + 1 + 1.5);
  EXPECT_DOUBLE_EQ(points.learned, 3.8);  // BAYES_99, in the scan's own set
  EXPECT_FALSE(points.forced);
}

TEST(Autolearn, ThresholdsAsSpamAssassinsAutoLearnThreshold) {
  classifier::AutolearnSettings settings;  // 12 and 0.1, 3 header and 3 body points
  AutolearnPoints spam{13, 5, 5, 3.8, false};
  EXPECT_EQ(autolearnClass(spam, settings, true), MessageClass::Spam);
  EXPECT_EQ(autolearnClass(spam, settings, false), std::nullopt);  // the verdict disagrees
  AutolearnPoints low_header{13, 2, 11, 0, false};
  EXPECT_EQ(autolearnClass(low_header, settings, true), std::nullopt);
  low_header.forced = true;  // autolearn_force waives the header and body minimums
  EXPECT_EQ(autolearnClass(low_header, settings, true), MessageClass::Spam);
  AutolearnPoints classifier_says_ham{13, 5, 5, -1.5, false};
  EXPECT_EQ(autolearnClass(classifier_says_ham, settings, true), std::nullopt);
  AutolearnPoints between{5, 3, 2, 0, false};
  EXPECT_EQ(autolearnClass(between, settings, true), std::nullopt);
  AutolearnPoints ham{-2, 0, -2, -1.9, false};
  EXPECT_EQ(autolearnClass(ham, settings, false), MessageClass::Ham);
  AutolearnPoints ham_but_classifier_says_spam{-2, 0, -2, 3.8, false};
  EXPECT_EQ(autolearnClass(ham_but_classifier_says_spam, settings, false), std::nullopt);
  AutolearnPoints at_ham_threshold{0.1, 0, 0.1, 0, false};
  EXPECT_EQ(autolearnClass(at_ham_threshold, settings, false), std::nullopt);
  AutolearnPoints at_spam_threshold{12, 6, 6, 0, false};
  EXPECT_EQ(autolearnClass(at_spam_threshold, settings, true), MessageClass::Spam);
}

TEST(Autolearn, TheContentCheckHandsClearVerdictsToTheBackgroundLearner) {
  Trained trained(250, 250);
  SiteServices services;
  services.classifier = trained.classifier;
  services.autolearn.enabled = true;
  auto learner = std::make_shared<BackgroundLearner>(trained.classifier, 100);
  asio::thread_pool workers(1);
  test::TempDir dir("bayes-autolearn");
  ContentCheck check(engineWith(dir, kAutolearnRules, services), workers, learner,
                     services.autolearn);
  checkSymbols(check,
               "From: a@deals.example\nSubject: offer\nMessage-ID: <al1@x>\n\nwinner prize "
               "casino http://deals.example/x\n");
  checkSymbols(check,
               "From: b@physics.example\nSubject: notes\nMessage-ID: <al2@x>\n\n"
               "seminar agenda kernel review\n");
  checkSymbols(check,
               "From: c@physics.example\nSubject: notes\nMessage-ID: <al3@x>\n\n"
               "winner agenda\n");  // 4 points: between the thresholds
  learner->drain();
  const auto counts = learner->counts();
  EXPECT_EQ(counts.learned_spam, 1u);
  EXPECT_EQ(counts.learned_ham, 1u);
  EXPECT_EQ(counts.failed, 0u);
  auto totals = trained.store->totals();
  ASSERT_TRUE(totals.ok());
  EXPECT_EQ(totals->spam_messages, 251u);
  EXPECT_EQ(totals->ham_messages, 251u);
  workers.join();
}

// A message another check acted on (a report to the classifier, a virus) is not the site's
// ordinary mail: autolearn leaves it alone whatever its score.
TEST(Autolearn, NothingIsLearntFromAMessageAnotherCheckForcedAnActionOn) {
  Trained trained(250, 250);
  SiteServices services;
  services.classifier = trained.classifier;
  services.autolearn.enabled = true;
  auto learner = std::make_shared<BackgroundLearner>(trained.classifier, 100);
  asio::thread_pool workers(1);
  test::TempDir dir("bayes-autolearn-forced");
  ContentCheck check(engineWith(dir, kAutolearnRules, services), workers, learner,
                     services.autolearn);
  const std::string spam =
      "From: a@deals.example\nSubject: offer\nMessage-ID: <af1@x>\n\nwinner prize casino "
      "http://deals.example/x\n";
  checkSymbols(check, spam, ForcedAction{Action::Discard, "learnt as a spam report"});
  learner->drain();
  EXPECT_EQ(learner->counts().learned_spam, 0u);
  checkSymbols(check, spam);  // the same message, nothing forced: learnt
  learner->drain();
  EXPECT_EQ(learner->counts().learned_spam, 1u);
  workers.join();
}

TEST(Autolearn, NothingIsLearntWhileTheStoreFails) {
  SiteServices services;
  services.classifier = std::make_shared<Classifier>(
      std::make_shared<classifier::UnavailableStore>("sqlite", "database disk image is malformed"),
      ClassifierSettings{});
  services.autolearn.enabled = true;
  auto learner = std::make_shared<BackgroundLearner>(services.classifier, 100);
  asio::thread_pool workers(1);
  test::TempDir dir("bayes-autolearn-down");
  ContentCheck check(engineWith(dir,
                                "header HEAD_BIG Subject =~ /offer/\nscore HEAD_BIG 20\n"
                                "body BODY_BIG /winner/\nscore BODY_BIG 20\n",
                                services),
                     workers, learner, services.autolearn);
  auto symbols = byName(checkSymbols(check, "Subject: offer\n\nwinner\n"));
  EXPECT_TRUE(symbols.count("BAYES_UNAVAILABLE"));  // autolearn asked, and found it failing
  learner->drain();
  EXPECT_EQ(learner->counts().learned_spam + learner->counts().failed, 0u);
  workers.join();
}

TEST(Autolearn, AFullQueueDropsAndCountsInsteadOfWaiting) {
  Trained trained(0, 0);
  std::atomic<int> reported{0};
  BackgroundLearner learner(trained.classifier, 0, [&reported] { ++reported; });
  MessageMaker maker(2);
  const std::string raw = maker.make(MessageClass::Spam);  // the message keeps views into it
  const mime::Message message = mime::Message::parse(raw);
  const ContentView view = viewOfMessage(message);
  EXPECT_FALSE(
      learner.submit(OwnedClassifierInput::copyOf(classifierInputOf(view)), MessageClass::Spam));
  learner.drain();
  EXPECT_EQ(learner.counts().dropped, 1u);
  EXPECT_EQ(reported, 1);  // for the metric
  EXPECT_EQ(learner.counts().learned_spam, 0u);
}

}  // namespace
}  // namespace portcullis::content
