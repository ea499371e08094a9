// The content check on real parsed messages: symbols in the report (scores, descriptions),
// meta rules over other checks' symbols, the transaction's pseudo-headers, reload keeping the old
// rules on error, the factory's options, and the shipped rules with their tests via the CLI.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <CLI/CLI.hpp>
#include <boost/json/parse.hpp>

#include <toml++/toml.h>
#include <filesystem>
#include <fstream>
#include <future>

#include "filters/classifier/unavailable_store.h"
#include "filters/content/content_check.h"
#include "filters/content/message_view.h"
#include "filters/content/rule_places.h"
#include "gateway/cli/rules_command.h"
#include "gateway/config/section.h"
#include "gateway/mime/message.h"

namespace portcullis::content {
namespace {

namespace fs = std::filesystem;

fs::path scratchDir(const std::string& name) {
  fs::path dir = fs::path(PORTCULLIS_BINARY_DIR) / "content-check-test" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void writeFile(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

const char* kRules = R"(
body     MONEY      /\bmillion dollars\b/i
describe MONEY      Talks about millions
score    MONEY      2.5
header   __FROM_BIG From:addr =~ /\@bigbank\.example$/
meta     BANK_SPF   __FROM_BIG && SPF_FAIL
score    BANK_SPF   3
header   RELAY_HELO X-Spam-Relays-External =~ /helo=dynamic-host /
score    RELAY_HELO 0.7
)";

const char* kMessage =
    "From: Bank <alerts@bigbank.example>\r\nTo: you@example.org\r\nSubject: hi\r\n"
    "Message-ID: <1@bigbank.example>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\n"
    "You won a MILLION DOLLARS.\r\n";

Transaction transactionFor(const std::string& raw) {
  Transaction tx;
  tx.id = "TESTQID";
  tx.client.address = "192.0.2.10";
  tx.client.helo = "dynamic-host";
  tx.envelope.mail_from = "alerts@bigbank.example";
  tx.message = raw;
  tx.parsed = std::make_shared<const mime::Message>(mime::Message::parse(tx.message));
  return tx;
}

void runCheck(const Check& check, const Transaction& tx, Report& report) {
  asio::io_context io;
  asio::co_spawn(io, check.run(tx, report), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  io.run();
}

TEST(ContentCheck, AddsSymbolsWithScoreAndDescription) {
  const fs::path dir = scratchDir("symbols");
  writeFile(dir / "local.cf", kRules);
  asio::thread_pool workers(1);
  EngineConfig config;
  config.rule_paths = {dir};
  ContentCheck check(RuleEngine::create(config), workers);
  EXPECT_EQ(check.stage(), Stage::Message);
  EXPECT_GT(check.priority(), 0);

  Transaction tx = transactionFor(kMessage);
  Report report;
  runCheck(check, tx, report);
  auto symbols = report.symbols();
  std::map<std::string, Symbol> by_name;
  for (const auto& s : symbols) by_name[s.name] = s;
  ASSERT_TRUE(by_name.count("MONEY"));
  EXPECT_DOUBLE_EQ(by_name["MONEY"].score, 2.5);
  EXPECT_EQ(by_name["MONEY"].detail, "Talks about millions");
  EXPECT_TRUE(by_name.count("RELAY_HELO"));   // pseudo-header from the SMTP session
  EXPECT_FALSE(by_name.count("__FROM_BIG"));  // sub-rules are never reported
  EXPECT_FALSE(by_name.count("BANK_SPF"));

  Report with_spf;
  with_spf.addSymbol({"SPF_FAIL", 1.0, "spf says fail"});
  with_spf.addSymbol({"MONEY", 0.5, "another check's symbol of the same name"});
  runCheck(check, tx, with_spf);
  EXPECT_TRUE(with_spf.hasSymbol("BANK_SPF"));
  // MONEY hit, but another check reported it first: its symbol alone counts.
  size_t money = 0;
  for (const auto& s : with_spf.symbols()) money += s.name == "MONEY" ? 1 : 0;
  EXPECT_EQ(money, 1u);
  EXPECT_DOUBLE_EQ(with_spf.score(), 1.0 + 0.5 + 3 + 0.7);  // SPF_FAIL, MONEY, BANK_SPF, RELAY_HELO
  workers.join();
}

TEST(ContentCheck, ReloadSwapsOnSuccessAndKeepsOldRulesOnError) {
  const fs::path dir = scratchDir("reload");
  writeFile(dir / "a.cf", "body FIRST /million/\n");
  EngineConfig config;
  config.rule_paths = {dir};
  auto engine = RuleEngine::create(config);
  auto before = engine->current();
  EXPECT_TRUE(before->find("FIRST"));

  writeFile(dir / "a.cf", "body SECOND /million/\n");
  LoadResult ok = engine->reloadAsync().get();
  EXPECT_TRUE(ok.error.empty());
  EXPECT_TRUE(engine->current()->find("SECOND"));
  EXPECT_TRUE(before->find("FIRST"));  // a scan in flight keeps its own set

  writeFile(dir / "a.cf", "body THIRD /unterminated\n");
  LoadResult bad = engine->reloadAsync().get();
  EXPECT_NE(bad.error.find("a.cf:1"), std::string::npos) << bad.error;
  EXPECT_TRUE(engine->current()->find("SECOND"));
}

TEST(ContentCheck, ColdStartServesAtOnceAndSwapsHyperscanInWhenCompiled) {
  const fs::path dir = scratchDir("cold-start");
  writeFile(dir / "a.cf", "body A /alpha/\nheader B Subject =~ /beta(?=x)/\n");
  EngineConfig config;
  config.rule_paths = {dir / "a.cf"};
  config.compile.cache_dir = dir / "cache";
  config.compile_in_background = true;
  const auto engineOf = [](const CompiledRules& rules, const std::string& name) {
    return rules.rules()[*rules.find(name)].engine;
  };
  const mime::Message message =
      mime::Message::parse("Subject: betax\r\nFrom: a@example.org\r\n\r\nalpha\r\n");
  const ContentView view = viewOfMessage(message);
  // What a cold start serves first (loaded here on its own: the engine's background compile of
  // two rules may swap Hyperscan in before the test could look at the first set).
  EngineConfig interim_config = config;
  interim_config.compile.hyperscan_from_cache_only = true;
  const LoadResult interim = loadAndCompile(interim_config);
  ASSERT_TRUE(interim.rules);
  EXPECT_EQ(interim.rules->summary().groups_without_hyperscan, interim.rules->summary().groups);
  EXPECT_EQ(engineOf(*interim.rules, "A"), Engine::Pcre);
  EXPECT_EQ(interim.rules->scan(view).hits.size(), 2u);

  std::promise<bool> warm;
  auto engine = RuleEngine::create(
      config, [&warm](const LoadResult& result) { warm.set_value(result.rules != nullptr); });
  EXPECT_EQ(engine->current()->scan(view).hits.size(), 2u);  // serving at once, either engine

  auto done = warm.get_future();
  ASSERT_EQ(done.wait_for(std::chrono::seconds(60)), std::future_status::ready);
  EXPECT_TRUE(done.get());
  EXPECT_TRUE(engine->onHyperscan());
  EXPECT_EQ(engineOf(*engine->current(), "A"), Engine::Hyperscan);
  EXPECT_EQ(engine->current()->scan(view).hits.size(), 2u);

  // Cached now: the next start is on Hyperscan at once and compiles nothing in the background.
  bool called = false;
  auto again = RuleEngine::create(config, [&called](const LoadResult&) { called = true; });
  EXPECT_TRUE(again->onHyperscan());
  EXPECT_FALSE(called);
}

TEST(ContentCheck, AnEngineReadingOnlyTheCacheCompilesNothingInTheBackground) {
  const fs::path dir = scratchDir("cache-only");
  writeFile(dir / "local.cf", kRules);
  EngineConfig config;
  config.rule_paths = {dir};
  config.compile.hyperscan_from_cache_only = true;  // what `config check` does
  bool warmed = false;
  auto engine = RuleEngine::create(config, [&warmed](const LoadResult&) { warmed = true; });
  EXPECT_FALSE(engine->onHyperscan());
  // Reloads run one after the other: a background compile queued by create() would end first.
  EXPECT_TRUE(engine->reloadAsync().get().rules);
  EXPECT_FALSE(warmed);
}

TEST(ContentCheck, CreateFailsWithFileAndLine) {
  const fs::path dir = scratchDir("broken");
  writeFile(dir / "b.cf", "body OK /x/\nmeta\n");
  EngineConfig config;
  config.rule_paths = {dir};
  try {
    RuleEngine::create(config);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("b.cf:2"), std::string::npos) << e.what();
  }
}

TEST(MessageView, ExplainsHitsOnParsedMessages) {
  const fs::path dir = scratchDir("explain");
  writeFile(dir / "local.cf", kRules);
  EngineConfig config;
  config.rule_paths = {dir};
  auto engine = RuleEngine::create(config);
  const std::string raw = kMessage;
  const mime::Message message = mime::Message::parse(raw);
  auto hits = scanMessage(*engine->current(), message, true);
  const ExplainedHit* money = nullptr;
  for (const auto& h : hits)
    if (h.name == "MONEY") money = &h;
  ASSERT_TRUE(money);
  EXPECT_EQ(money->matched.value_or(""), "MILLION DOLLARS");
  EXPECT_EQ(money->where.line, 2);
}

TEST(ContentCheckFactory, ReadsOptionsAndBuildsTheCheck) {
  const fs::path dir = scratchDir("factory");
  fs::create_directories(dir / "myrules");
  writeFile(dir / "myrules" / "a.cf", "body SCORED /million/\nscore SCORED 1 2 3 4\n");
  const std::string config_file = (dir / "portcullis.toml").string();
  toml::table table =
      toml::parse("rules = [\"myrules\"]\nscore_set = 2\nmax_scan_bytes = \"1M\"\n", config_file);
  config::Section section(&table, "checks.content", config_file);
  asio::thread_pool workers(1);
  CheckDeps deps{workers, nullptr, dir / "state"};
  const CheckFactory factory = contentCheckFactory();
  EXPECT_EQ(factory.name, "content");
  auto checks = factory.build(section, deps);
  section.finish();
  ASSERT_EQ(checks.size(), 1u);
  auto* check = dynamic_cast<const ContentCheck*>(checks[0].get());
  ASSERT_TRUE(check);
  auto rules = check->engine()->current();
  EXPECT_DOUBLE_EQ(rules->rules()[*rules->find("SCORED")].score, 3);  // relative path, set 2
  EXPECT_EQ(rules->options().max_scan_bytes, 1u << 20);
  EXPECT_EQ(rules->options().cache_dir, dir / "state" / "content-cache");
  workers.join();
}

TEST(ContentCheckFactory, BadOptionsAndBrokenRulesAreConfigErrors) {
  const fs::path dir = scratchDir("factory-bad");
  writeFile(dir / "bad.cf", "body BROKEN /x\n");
  const std::string config_file = (dir / "portcullis.toml").string();
  asio::thread_pool workers(1);
  CheckDeps deps{workers, nullptr, {}};
  toml::table bad_set = toml::parse("score_set = 7\n", config_file);
  config::Section s1(&bad_set, "checks.content", config_file);
  EXPECT_THROW(contentCheckFactory().build(s1, deps), config::ConfigError);
  toml::table broken = toml::parse("rules = [\"bad.cf\"]\n", config_file);
  config::Section s2(&broken, "checks.content", config_file);
  try {
    contentCheckFactory().build(s2, deps);
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const config::ConfigError& e) {
    EXPECT_NE(e.message().find("bad.cf:1"), std::string::npos) << e.message();
    EXPECT_EQ(e.line(), 1);
  }
  workers.join();
}

TEST(ContentCheckFactory, SpamAssassinRulesLoadFirstAndBadPlacesAreConfigErrors) {
  const fs::path dir = scratchDir("factory-stock");
  fs::create_directories(dir / "stock");
  writeFile(dir / "stock" / "50_scores.cf", "body STOCK /million/\nscore STOCK 1\n");
  writeFile(dir / "local.cf", "score STOCK 4\n");
  const std::string config_file = (dir / "portcullis.toml").string();
  asio::thread_pool workers(1);
  CheckDeps deps{workers, nullptr, {}};
  toml::table table =
      toml::parse("spamassassin_rules = \"stock\"\nrules = [\"local.cf\"]\n", config_file);
  config::Section section(&table, "checks.content", config_file);
  auto checks = contentCheckFactory().build(section, deps);
  section.finish();
  auto rules = dynamic_cast<const ContentCheck&>(*checks.at(0)).engine()->current();
  ASSERT_TRUE(rules->find("STOCK"));
  EXPECT_DOUBLE_EQ(rules->rules()[*rules->find("STOCK")].score, 4);  // `rules` override them

  toml::table missing = toml::parse("\n\nspamassassin_rules = \"nowhere\"\n", config_file);
  config::Section bad(&missing, "checks.content", config_file);
  try {
    contentCheckFactory().build(bad, deps);
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(e.line(), 3);
    EXPECT_NE(e.message().find("neither \"auto\", \"none\" nor a directory"), std::string::npos)
        << e.message();
  }
  workers.join();
}

TEST(ContentCheckFactory, ConfigCheckValidatesTheRulesWithoutCompilingHyperscan) {
  const fs::path dir = scratchDir("factory-validation");
  writeFile(dir / "a.cf", "body A /alpha/\nheader B Subject =~ /beta/\n");
  const std::string config_file = (dir / "portcullis.toml").string();
  toml::table table = toml::parse("rules = [\"a.cf\"]\n", config_file);
  config::Section section(&table, "checks.content", config_file);
  asio::thread_pool workers(1);
  CheckDeps deps{workers, nullptr, dir / "state", {}, CheckUse::Validation};
  auto checks = contentCheckFactory().build(section, deps);
  section.finish();
  auto engine = dynamic_cast<const ContentCheck&>(*checks.at(0)).engine();
  EXPECT_EQ(engine->current()->summary().rules_loaded, 2u);
  EXPECT_FALSE(engine->onHyperscan());
  // Nothing compiled, nothing cached: the daemon's first start compiles in the background.
  EXPECT_TRUE(!fs::exists(dir / "state" / "content-cache") ||
              fs::is_empty(dir / "state" / "content-cache"));
  workers.join();
}

TEST(RulePlaces, StockRulesAreSaUpdatesNewestCopyThenThePackagedOnes) {
  const fs::path dir = scratchDir("rule-places");
  StockRulePlaces places{dir / "var", dir / "share"};
  EXPECT_EQ(findStockRules(places), std::nullopt);
  fs::create_directories(places.packaged);
  writeFile(places.packaged / "20_head_tests.cf", "header A Subject =~ /a/\n");
  EXPECT_EQ(findStockRules(places), places.packaged);
  for (const char* version : {"3.004006", "4.000001", "9.000000"}) {
    fs::create_directories(places.update_root / version);
  }
  writeFile(places.update_root / "3.004006" / "updates_spamassassin_org.cf", "\n");
  writeFile(places.update_root / "4.000001" / "updates_spamassassin_org.cf", "\n");
  fs::create_directories(places.update_root / "not-a-version");
  writeFile(places.update_root / "not-a-version" / "x.cf", "\n");
  // 9.000000 holds no rule file: an interrupted update is passed over.
  EXPECT_EQ(findStockRules(places), places.update_root / "4.000001");
  EXPECT_EQ(shippedRulesDir(), fs::path(PORTCULLIS_SOURCE_DIR) / "rules");  // a build tree
}

// A classifier for tests that only need one configured (its store is never read).
std::shared_ptr<const classifier::Classifier> configuredClassifier() {
  return std::make_shared<classifier::Classifier>(
      std::make_shared<classifier::UnavailableStore>("test", "not read by this test"),
      classifier::ClassifierSettings{});
}

// The score of SCORED (1 2 3 4 in sets 0-3) when the factory reads `options` with `services`.
double scoredWith(const std::string& options, const SiteServices& services) {
  const fs::path dir = scratchDir("score-set");
  writeFile(dir / "a.cf", "body SCORED /million/\nscore SCORED 1 2 3 4\n");
  const std::string config_file = (dir / "portcullis.toml").string();
  toml::table table = toml::parse("rules = [\"a.cf\"]\n" + options, config_file);
  config::Section section(&table, "checks.content", config_file);
  asio::thread_pool workers(1);
  CheckDeps deps{workers, nullptr, {}};
  auto checks = contentCheckFactory(services).build(section, deps);
  section.finish();
  workers.join();
  auto rules = dynamic_cast<const ContentCheck&>(*checks.at(0)).engine()->current();
  return rules->rules()[*rules->find("SCORED")].score;
}

TEST(ContentCheckFactory, ScoreSetIsPickedFromTheServicesUnlessGiven) {
  SiteServices lists;
  lists.dns_lists.push_back({"zen.spamhaus.org", DnsList::Kind::Ip, "RCVD_IN_ZEN", {}, true});
  SiteServices classifier;
  classifier.classifier = configuredClassifier();
  SiteServices both = lists;
  both.classifier = configuredClassifier();
  EXPECT_DOUBLE_EQ(scoredWith("", SiteServices{}), 1);  // set 0
  EXPECT_DOUBLE_EQ(scoredWith("", lists), 2);           // set 1
  EXPECT_DOUBLE_EQ(scoredWith("", classifier), 3);      // set 2
  EXPECT_DOUBLE_EQ(scoredWith("", both), 4);            // set 3
  EXPECT_DOUBLE_EQ(scoredWith("score_set = 0\n", both), 1);
  SiteServices spf_only;  // SPF, DKIM or DMARC ask DNS: SpamAssassin's network tests are on
  spf_only.network_checks = true;
  EXPECT_DOUBLE_EQ(scoredWith("", spf_only), 2);  // set 1
}

TEST(ContentCheckFactory, ReadsTheRelayNetworksAndRejectsMalformedOnes) {
  const fs::path dir = scratchDir("networks");
  writeFile(dir / "a.cf", "body ANY /x/\n");
  const std::string config_file = (dir / "portcullis.toml").string();
  asio::thread_pool workers(1);
  CheckDeps deps{workers, nullptr, {}};
  toml::table good = toml::parse(
      "rules = [\"a.cf\"]\ntrusted_networks = [\"192.0.2.0/24\", \"2001:db8::/32\"]\n"
      "internal_networks = [\"192.0.2.1\"]\nmsa_networks = [\"198.51.100.0/24\"]\n",
      config_file);
  config::Section section(&good, "checks.content", config_file);
  auto checks = contentCheckFactory().build(section, deps);
  section.finish();
  const CompileOptions& options =
      dynamic_cast<const ContentCheck&>(*checks.at(0)).engine()->current()->options();
  EXPECT_EQ(options.trusted_networks, (std::vector<std::string>{"192.0.2.0/24", "2001:db8::/32"}));
  EXPECT_EQ(options.internal_networks, std::vector<std::string>{"192.0.2.1"});
  EXPECT_EQ(options.msa_networks, std::vector<std::string>{"198.51.100.0/24"});

  toml::table bad =
      toml::parse("rules = [\"a.cf\"]\n\nmsa_networks = [\"192.0.2.0/33\"]\n", config_file);
  config::Section s2(&bad, "checks.content", config_file);
  try {
    contentCheckFactory().build(s2, deps);
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(e.line(), 3);
    EXPECT_NE(e.message().find("192.0.2.0/33"), std::string::npos) << e.message();
  }
  workers.join();
}

// Runs the CLI and exits with its status (call it in EXPECT_EXIT).
[[noreturn]] void runCli(std::vector<std::string> args) {
  CLI::App app("portcullis");
  int exit_status = 0;
  cli::addRulesCommand(app, exit_status);
  std::vector<const char*> argv = {"portcullis"};
  for (const auto& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
  std::fflush(stdout);
  std::exit(exit_status);
}

TEST(RulesCommand, ShippedRulesPassTheirTests) {
  const std::string rules = std::string(PORTCULLIS_SOURCE_DIR) + "/rules";
  const std::string cache = scratchDir("cli-cache").string();
  EXPECT_EXIT(runCli({"rules", "test", "--cache-dir", cache, rules}), ::testing::ExitedWithCode(0),
              "");
}

TEST(RulesCommand, TestFailsForARuleWithoutTests) {
  const fs::path dir = scratchDir("untested");
  writeFile(dir / "x.cf", "body UNTESTED /x/\n");
  EXPECT_EXIT(runCli({"rules", "test", dir.string()}), ::testing::ExitedWithCode(1), "");
}

// Runs the CLI with its standard output sent to `file` (it exits, so call it in EXPECT_EXIT).
[[noreturn]] void runCliTo(const fs::path& file, std::vector<std::string> args) {
  if (!std::freopen(file.c_str(), "w", stdout)) std::exit(99);
  runCli(std::move(args));
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(RulesCommand, CheckReportsErrorsAndDisabledRulesAsJson) {
  const fs::path dir = scratchDir("lint");
  writeFile(dir / "x.cf",
            "body GOOD /x/\nbody BROKEN /x\nbody WIDE /\\x{263a}/\nheader EV eval:nope()\n");
  const fs::path out = dir / "out.json";
  EXPECT_EXIT(runCliTo(out, {"rules", "check", "--json", "--cache-dir", "", dir.string()}),
              ::testing::ExitedWithCode(1), "");
  const std::string json = readFile(out);
  const boost::json::object report = boost::json::parse(json).as_object();
  EXPECT_EQ(report.at("rules_total"), 3) << json;
  EXPECT_EQ(report.at("rules_loaded"), 1) << json;
  std::vector<int64_t> error_lines;
  for (const auto& error : report.at("errors").as_array()) {
    error_lines.push_back(error.at("line").as_int64());
    EXPECT_TRUE(error.at("message").is_string()) << json;
  }
  EXPECT_THAT(error_lines, ::testing::Contains(2)) << json;
  std::vector<std::string> disabled, reasons;
  for (const auto& rule : report.at("disabled").as_array()) {
    disabled.emplace_back(rule.at("name").as_string());
    reasons.emplace_back(rule.at("reason").as_string());
  }
  EXPECT_THAT(disabled, ::testing::UnorderedElementsAre("WIDE", "EV")) << json;
  EXPECT_THAT(reasons, ::testing::Contains(::testing::HasSubstr("unknown eval function nope")))
      << json;
}

TEST(RulesCommand, CheckPrintsFileLineAndSummary) {
  const fs::path dir = scratchDir("lint-text");
  writeFile(dir / "x.cf",
            "body GOOD /x/\nheader EV eval:nope()\ntrusted_networks 192.0.2.0/24 no-network\n");
  const fs::path out = dir / "out.txt";
  EXPECT_EXIT(runCliTo(out, {"rules", "check", "--cache-dir", "", dir.string()}),
              ::testing::ExitedWithCode(0), "");
  const std::string text = readFile(out);
  EXPECT_NE(text.find("x.cf:2: disabled EV: unknown eval function nope"), std::string::npos)
      << text;
  // A relay network that is no network is named with its file and line, and left out.
  EXPECT_NE(text.find("x.cf:3: warning: trusted_networks: "), std::string::npos) << text;
  EXPECT_NE(text.find("rules loaded: 1"), std::string::npos) << text;
}

TEST(RulesCommand, CheckGroupsRulesThatWantAServiceApart) {
  const fs::path dir = scratchDir("lint-services");
  writeFile(dir / "x.cf",
            "full RAZOR2_CHECK eval:check_razor2()\n"
            "header RCVD_IN_X eval:check_rbl('x', 'list.example.')\n"
            "askdns __HELO_DNS _LASTEXTERNALHELO_ A /./\n"
            "header EV eval:nope()\n");
  const fs::path out = dir / "out.txt";
  EXPECT_EXIT(runCliTo(out, {"rules", "check", "--cache-dir", "", dir.string()}),
              ::testing::ExitedWithCode(0), "");
  const std::string text = readFile(out);
  EXPECT_NE(text.find("x.cf:1: disabled RAZOR2_CHECK: needs the Razor2 network service"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("x.cf:3: disabled __HELO_DNS: needs DNS queries of its own (askdns)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("not run here, for want of a DNS list, service or classifier (3, askdns "
                      "rules included)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("1  needs DNS list list.example (kind \"ip\"), which [checks.dnsbl] "
                      "does not configure"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("cannot run:\n    1  unknown eval function nope"), std::string::npos) << text;
}

TEST(RulesCommand, CheckSucceedsOnShippedRules) {
  const std::string rules = std::string(PORTCULLIS_SOURCE_DIR) + "/rules";
  const fs::path out = scratchDir("lint-shipped") / "out.txt";
  EXPECT_EXIT(runCliTo(out, {"rules", "check", "--cache-dir", "", rules}),
              ::testing::ExitedWithCode(0), "");
  EXPECT_NE(readFile(out).find("rules disabled: 0"), std::string::npos) << readFile(out);
}

}  // namespace
}  // namespace portcullis::content
