// Compiles small rule sets and scans hand-built ContentViews: the matcher, engines (Hyperscan,
// prefilter + PCRE2, PCRE2), negation, counting, eval and exists tests, meta rules, the cache.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "filters/content/compiled_rules.h"
#include "filters/content/rule_parser.h"

namespace portcullis::content {
namespace {

std::shared_ptr<const CompiledRules> compile(std::string_view text, CompileOptions options = {}) {
  RuleParser parser;
  parser.addText(text, "test.cf");
  RuleSet set = parser.finish();
  EXPECT_FALSE(set.hasErrors());
  return compileRules(set, options);
}

struct Message {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body, rawbody, full;
  std::vector<std::string> uris;

  ContentView view() const {
    ContentView v;
    for (const auto& [name, value] : headers) v.headers.push_back({name, value, value});
    v.parts.push_back({v.headers, "text/plain", true});
    v.body = body;
    v.rawbody = rawbody;
    v.full = full;
    for (const auto& u : uris) v.uris.push_back(u);
    return v;
  }
};

std::map<std::string, int> hits(const CompiledRules& rules, const Message& m,
                                const ExternalSymbols& external = {}) {
  std::map<std::string, int> out;
  for (const auto& h : rules.scan(m.view(), external).hits)
    out[rules.rules()[h.rule].rule.name] = h.count;
  return out;
}

Engine engineOf(const CompiledRules& rules, const std::string& name) {
  return rules.rules()[*rules.find(name)].engine;
}

TEST(Matcher, HeaderRulesSeeTheirHeader) {
  auto rules = compile(R"(
header SUBJ_FREE   Subject =~ /\bfree\b/i
header FROM_ADDR   From:addr =~ /^bob\@example\.com$/
header FROM_NAME   From:name =~ /^Bob Smith$/
header NO_XFOO     X-Foo !~ /./
header UNSET       X-Missing =~ /^fallback$/ [if-unset: fallback]
header TOCC        ToCc =~ /carol/
header ALLH        ALL =~ /^X-Spam-Flag: YES/m
header HAS_MAILER  exists:X-Mailer
)");
  Message m;
  m.headers = {{"Subject", "Get it FREE now"},
               {"From", "\"Bob Smith\" <bob@example.com>"},
               {"To", "alice@example.org"},
               {"Cc", "carol@example.org"},
               {"X-Spam-Flag", "YES"}};
  auto h = hits(*rules, m);
  EXPECT_TRUE(h.count("SUBJ_FREE"));
  EXPECT_TRUE(h.count("FROM_ADDR"));
  EXPECT_TRUE(h.count("FROM_NAME"));
  EXPECT_TRUE(h.count("NO_XFOO"));
  EXPECT_TRUE(h.count("UNSET"));
  EXPECT_TRUE(h.count("TOCC"));
  EXPECT_TRUE(h.count("ALLH"));
  EXPECT_FALSE(h.count("HAS_MAILER"));

  m.headers[0].second = "freedom";
  m.headers.push_back({"X-Foo", "bar"});
  m.headers.push_back({"X-Mailer", "x"});
  h = hits(*rules, m);
  EXPECT_FALSE(h.count("SUBJ_FREE"));
  EXPECT_FALSE(h.count("NO_XFOO"));
  EXPECT_TRUE(h.count("HAS_MAILER"));
}

TEST(Matcher, BodyUriRawbodyFull) {
  auto rules = compile(R"(
body    B_LINE   /^click here$/
rawbody R_HTML   /<b>bold<\/b>/
full    F_HDR    /^X-Trace: 1/m
uri     U_HOST   /^https?:\/\/evil\.example\//
)");
  Message m;
  m.body = "Subject line\nclick here\nmore";
  m.rawbody = "<b>bold</b>";
  m.full = "Subject: x\r\nX-Trace: 1\r\n\r\nbody";
  m.uris = {"http://good.example/", "https://evil.example/login"};
  auto h = hits(*rules, m);
  EXPECT_TRUE(h.count("B_LINE"));  // ^ and $ match at every body line
  EXPECT_TRUE(h.count("R_HTML"));
  EXPECT_TRUE(h.count("F_HDR"));
  EXPECT_TRUE(h.count("U_HOST"));
  m.uris = {"http://good.example/?u=https://evil.example/"};
  EXPECT_FALSE(hits(*rules, m).count("U_HOST"));
}

TEST(Matcher, LookaroundAndBackreferenceAreConfirmedByPcre) {
  auto rules = compile(R"(
body LOOKAHEAD  /\bpills(?! for pets)/
body BACKREF    /\b(\w)\1\1\1\b/
body ATOMIC     /(?>ab|a)c/
body EXACT      /plain words/
)");
  EXPECT_EQ(engineOf(*rules, "EXACT"), Engine::Hyperscan);
  EXPECT_EQ(engineOf(*rules, "LOOKAHEAD"), Engine::HyperscanPrefilter);
  EXPECT_EQ(engineOf(*rules, "BACKREF"), Engine::HyperscanPrefilter);
  Message m;
  m.body = "cheap pills for pets\nzzzz";
  auto h = hits(*rules, m);
  EXPECT_FALSE(h.count("LOOKAHEAD"));  // the prefilter matched, PCRE2 said no
  EXPECT_TRUE(h.count("BACKREF"));
  m.body = "cheap pills here\nzzyz";
  h = hits(*rules, m);
  EXPECT_TRUE(h.count("LOOKAHEAD"));
  EXPECT_FALSE(h.count("BACKREF"));
  m.body = "abc";
  EXPECT_TRUE(hits(*rules, m).count("ATOMIC"));
}

TEST(Matcher, MultipleCountsAndMaxhits) {
  auto rules = compile(R"(
body   MANY  /win/
tflags MANY  multiple maxhits=3
body   ONCE  /win/
score  MANY  0.5
)");
  Message m;
  m.body = "win win win win win";
  auto result = rules->scan(m.view());
  std::map<std::string, int> h;
  for (const auto& hit : result.hits) h[rules->rules()[hit.rule].rule.name] = hit.count;
  EXPECT_EQ(h["MANY"], 3);
  EXPECT_EQ(h["ONCE"], 1);
}

TEST(Matcher, MetaRules) {
  auto rules = compile(R"(
body  __A   /alpha/
body  __B   /beta/
body  __C   /gamma/
meta  BOTH  __A && __B
meta  TWO_OF_THREE (__A + __B + __C) >= 2
meta  NOT_A !__A
meta  NESTED BOTH && !__C
meta  WITH_SPF __A && SPF_FAIL
meta  LOOP1 LOOP2
meta  LOOP2 LOOP1
)");
  EXPECT_EQ(engineOf(*rules, "LOOP1"), Engine::Disabled);
  Message m;
  m.body = "alpha beta";
  auto h = hits(*rules, m);
  EXPECT_TRUE(h.count("BOTH"));
  EXPECT_TRUE(h.count("TWO_OF_THREE"));
  EXPECT_FALSE(h.count("NOT_A"));
  EXPECT_TRUE(h.count("NESTED"));
  EXPECT_FALSE(h.count("WITH_SPF"));
  h = hits(*rules, m, [](const std::string& name) { return name == "SPF_FAIL"; });
  EXPECT_TRUE(h.count("WITH_SPF"));
  m.body = "gamma";
  h = hits(*rules, m);
  EXPECT_FALSE(h.count("TWO_OF_THREE"));
  EXPECT_TRUE(h.count("NOT_A"));
}

// Meta rules ask for cheap operands first (MetaExpression::cheapestFirst): a header's existence
// before a pattern PCRE2 confirms, so that a verdict scan never settles the pattern when the
// header decides. A `multiple` rule's count used as a number keeps its place.
TEST(Matcher, MetaRulesAskForCheapOperandsFirst) {
  auto rules = compile(R"(
body   __COSTLY   /(\w+) again \1/
header __LISTED   exists:List-Id
meta   OFFER      __COSTLY && !__LISTED
body   __TWICE    /twice/
tflags __TWICE    multiple
meta   TWICE      (__TWICE || __LISTED) > 1
)");
  EXPECT_NE(engineOf(*rules, "__COSTLY"), Engine::Hyperscan);
  Message m;
  m.headers = {{"List-Id", "<list.example.com>"}};
  m.body = "word again word\ntwice twice\n";
  std::map<std::string, int> verdict;
  for (const auto& h : rules->scan(m.view(), {}, false, ScanDepth::Verdict).hits)
    verdict[rules->rules()[h.rule].rule.name] = h.count;
  EXPECT_EQ(verdict, (std::map<std::string, int>{{"__LISTED", 1}, {"__TWICE", 2}, {"TWICE", 1}}));
  EXPECT_EQ(hits(*rules, m).count("__COSTLY"), 1u);  // a scan of every rule settles it
}

TEST(Matcher, SubRulesAreNotReportedAndScoresFollowTheSet) {
  auto rules = compile(R"(
body __SUB /x/
body SCORED /x/
score SCORED 1 2 3 4
body ZERO /x/
score ZERO 0
)",
                       CompileOptions{.score_set = 2});
  const auto& sub = rules->rules()[*rules->find("__SUB")];
  const auto& scored = rules->rules()[*rules->find("SCORED")];
  const auto& zero = rules->rules()[*rules->find("ZERO")];
  EXPECT_FALSE(sub.reported);
  EXPECT_TRUE(scored.reported);
  EXPECT_DOUBLE_EQ(scored.score, 3);
  EXPECT_FALSE(zero.reported);
}

TEST(Matcher, EvalTestsAndUnknownEvals) {
  auto rules = compile(R"(
header MISSING_TO  eval:check_for_missing_to_header()
header CAPS        eval:subject_is_all_caps()
header TWO_RCVD    eval:check_header_count_range('Received', 2, 10)
header ILLEGAL     eval:check_illegal_chars('Subject', '0.01', '2')
body   UNKNOWN     eval:check_something_we_lack()
)");
  EXPECT_EQ(engineOf(*rules, "UNKNOWN"), Engine::Disabled);
  EXPECT_EQ(rules->rules()[*rules->find("UNKNOWN")].disabled_reason,
            "unknown eval function check_something_we_lack");
  Message m;
  m.headers = {{"Subject", "BUY THIS AMAZING PRODUCT \xe9\xe9"},  // 8-bit, not UTF-8
               {"Received", "a"},
               {"Received", "b"}};
  auto h = hits(*rules, m);
  EXPECT_TRUE(h.count("MISSING_TO"));
  EXPECT_TRUE(h.count("CAPS"));
  EXPECT_TRUE(h.count("TWO_RCVD"));
  EXPECT_TRUE(h.count("ILLEGAL"));
  EXPECT_FALSE(h.count("UNKNOWN"));
  m.headers = {{"Subject", "Normal subject here"}, {"To", "a@b"}};
  h = hits(*rules, m);
  EXPECT_TRUE(h.empty());
}

TEST(Matcher, ExplainGivesTheMatchedText) {
  auto rules = compile("body PRICE /\\$\\d+/\n");
  Message m;
  m.body = "only $99 today";
  auto result = rules->scan(m.view(), {}, true);
  ASSERT_EQ(result.hits.size(), 1u);
  EXPECT_EQ(result.hits[0].matched.value_or(""), "$99");
}

TEST(Matcher, DiskCacheIsUsedOnTheSecondCompile) {
  const auto dir = std::filesystem::path(PORTCULLIS_BINARY_DIR) / "content-matcher-cache-test";
  std::filesystem::remove_all(dir);
  const char* text = "body A /alpha/\nheader B Subject =~ /beta(?=x)/\n";
  CompileOptions options;
  options.cache_dir = dir;
  auto first = compile(text, options);
  EXPECT_EQ(first->summary().groups_from_cache, 0u);
  auto second = compile(text, options);
  EXPECT_EQ(second->summary().groups_from_cache, second->summary().groups);
  EXPECT_EQ(engineOf(*second, "B"), Engine::HyperscanPrefilter);
  Message m;
  m.body = "alpha";
  m.headers = {{"Subject", "betax"}};
  auto h = hits(*second, m);
  EXPECT_TRUE(h.count("A"));
  EXPECT_TRUE(h.count("B"));
  // A changed rule misses the cache.
  auto third = compile("body A /alphb/\nheader B Subject =~ /beta(?=x)/\n", options);
  EXPECT_EQ(third->summary().groups_from_cache, 1u);
  std::filesystem::remove_all(dir);
}

TEST(Matcher, UnrunnablePatternIsDisabledWithReason) {
  auto rules = compile("body WIDE /\\x{263a}/\nbody FINE /ok/\n");
  const auto& wide = rules->rules()[*rules->find("WIDE")];
  EXPECT_EQ(wide.engine, Engine::Disabled);
  EXPECT_NE(wide.disabled_reason.find("Hyperscan"), std::string::npos);
  EXPECT_EQ(rules->summary().disabled.size(), 1u);
  EXPECT_EQ(rules->summary().rules_loaded, 1u);
}

TEST(Matcher, ConfirmationFindsAMatchInAPieceAfterHyperscansFirstHit) {
  // Hyperscan looks for WORD without its \b edges and LOOK without its lookahead, so the first
  // piece, where neither rule matches, holds their first hits; settling goes on to later pieces.
  auto rules = compile(R"(
body WORD   /\bcheap\b/
body LOOK   /(?!cheaper)cheap\w*ly/
)");
  EXPECT_EQ(engineOf(*rules, "LOOK"), Engine::HyperscanPrefilter);
  Message m;
  m.body = "cheaperly and cheapest\nnothing here\nso cheap, cheaply\n";
  auto h = hits(*rules, m);
  EXPECT_TRUE(h.count("WORD"));
  EXPECT_TRUE(h.count("LOOK"));
  m.body = "nothing here\ncheapest, but cheap\n";  // the first hit's own piece matches later on
  EXPECT_TRUE(hits(*rules, m).count("WORD"));
  m.body = "cheaperly and cheapest\nnothing here\n";
  h = hits(*rules, m);
  EXPECT_FALSE(h.count("WORD"));
  EXPECT_FALSE(h.count("LOOK"));
}

TEST(Matcher, BodyAndUriRulesNeverMatchAcrossPieces) {
  // SpamAssassin tests body rules a paragraph (line) at a time and uri rules a URI at a time:
  // [^x]* and \s can cross a newline in the joined text, but must not cross a piece.
  auto rules = compile(R"(
body ACROSS_LINES   /alpha[^!]*omega/
body WITHIN_LINE    /gamma\s+delta/
body PRE_ACROSS     /(?<=x)alpha(?=[^!]*omega)/
uri  URI_USERINFO   m{^https?://[^/?\#]*@}
uri  URI_SAME       m{^http://good\.example/[^@]*@}
body MULTI          /beta/
tflags MULTI        multiple
)");
  Message m;
  m.body = "xalpha is here\nand omega there\ngamma   delta\nbeta beta\nbeta\n";
  m.uris = {"http://host.example", "mailto:user@example.net", "http://good.example/a@b"};
  const auto h = hits(*rules, m);
  EXPECT_FALSE(h.count("ACROSS_LINES"));
  EXPECT_FALSE(h.count("PRE_ACROSS"));
  EXPECT_TRUE(h.count("WITHIN_LINE"));
  EXPECT_FALSE(h.count("URI_USERINFO"));
  EXPECT_TRUE(h.count("URI_SAME"));
  EXPECT_EQ(h.at("MULTI"), 3);

  m.body = "alpha and omega on one line\n";
  EXPECT_TRUE(hits(*rules, m).count("ACROSS_LINES"));
}

// Rules no verdict depends on (no score, read by no meta rule that counts) form groups of their
// own, which a scan for the verdict leaves out and a scan of every rule runs.
TEST(Matcher, RulesNoVerdictNeedsAreScannedOnlyForEveryRule) {
  auto rules = compile(R"(
body COUNTS      /alpha/
body __NEEDED    /beta/
body __IDLE      /gamma/
body ZERO        /delta/
score ZERO       0
meta USES        __NEEDED
meta ZERO_META   __IDLE
score ZERO_META  0
)");
  std::map<std::string, bool> verdict_group;
  for (const auto& group : rules->groups())
    for (size_t i : group.rules) verdict_group[rules->rules()[i].rule.name] = group.verdict;
  EXPECT_TRUE(verdict_group.at("COUNTS"));
  EXPECT_TRUE(verdict_group.at("__NEEDED"));
  EXPECT_FALSE(verdict_group.at("__IDLE"));
  EXPECT_FALSE(verdict_group.at("ZERO"));
  Message m;
  m.body = "alpha beta gamma delta\n";
  const auto names = [&](ScanDepth depth) {
    std::set<std::string> out;
    for (const auto& h : rules->scan(m.view(), {}, false, depth).hits)
      out.insert(rules->rules()[h.rule].rule.name);
    return out;
  };
  EXPECT_EQ(names(ScanDepth::Verdict), (std::set<std::string>{"COUNTS", "__NEEDED", "USES"}));
  EXPECT_EQ(names(ScanDepth::Every),
            (std::set<std::string>{"COUNTS", "__NEEDED", "USES", "__IDLE", "ZERO", "ZERO_META"}));
}

// A body that is not plain as a whole has its plain lines scanned by the plain-text database and
// the rest by the full one: matches within a line are found in either part, and lines that the
// split brings together do not make one.
TEST(Matcher, BodiesScannedInPartsFindWhatLinesHold) {
  auto rules = compile(R"(
body LOOKALIKE  /c[a\xc3\xa0]f[e\xc3\xa9]/
body WORDS      /plain words\s+$/
body JOINED     /one\s+plain/
body EACH       /plain/
tflags EACH     multiple
meta BOTH       LOOKALIKE && WORDS
)");
  ASSERT_EQ(rules->groups().size(), 1u);
  ASSERT_FALSE(rules->groups()[0].plain_databases.empty());
  ASSERT_TRUE(rules->groups()[0].scanned_in_parts);
  Message m;
  m.body = "caf\xc3\xa9 one\nplain words \n\xe2\x82\xac one\nplain again\n";
  const auto h = hits(*rules, m);
  EXPECT_TRUE(h.count("LOOKALIKE"));
  EXPECT_TRUE(h.count("WORDS"));
  EXPECT_TRUE(h.count("BOTH"));
  EXPECT_FALSE(h.count("JOINED"));
  EXPECT_EQ(h.at("EACH"), 2);
}

// A long pattern is confirmed by RE2 on plain text and by PCRE2 elsewhere, with the same result.
TEST(Matcher, LongPatternsAgreeOnPlainAndOtherText) {
  std::string words;
  for (int i = 0; i < 120; ++i) words += (i ? "|" : "") + std::string("field") + std::to_string(i);
  auto rules = compile("body FORM /(?:(?:your\\s)?(?:" + words + ")[\\s:,]{1,5}){3}/i\n");
  const auto& form = rules->rules()[*rules->find("FORM")];
  ASSERT_TRUE(form.re2) << "expected RE2 for a pattern of " << form.rule.regex.pattern.size();
  Message m;
  for (const char* body :
       {"Your FIELD7: field99, field3:\n", "caf\xc3\xa9 field7: field99, field3:\n"}) {
    m.body = body;
    EXPECT_TRUE(hits(*rules, m).count("FORM")) << body;
  }
  for (const char* body : {"field7: field99\nfield3:\n", "caf\xc3\xa9 field7: field99\n"}) {
    m.body = body;
    EXPECT_FALSE(hits(*rules, m).count("FORM")) << body;
  }
}

// Meta rules in a loop, or nested deeper than the scan recurses, are disabled with the reason;
// a chain of any length compiles without exhausting the stack.
TEST(Matcher, MetaLoopsAndDeepChainsAreDisabled) {
  std::string text = "body BASE /x/\nmeta LOOP_A LOOP_B && BASE\nmeta LOOP_B LOOP_A\n";
  constexpr int kChain = 100000;
  text += "meta CHAIN_0 BASE\n";
  for (int i = 1; i < kChain; ++i)
    text += "meta CHAIN_" + std::to_string(i) + " CHAIN_" + std::to_string(i - 1) + "\n";
  auto rules = compile(text);
  const auto reason = [&](const std::string& name) {
    return rules->rules()[*rules->find(name)].disabled_reason;
  };
  EXPECT_NE(reason("LOOP_A").find("dependency loop"), std::string::npos);
  EXPECT_NE(reason("LOOP_B").find("dependency loop"), std::string::npos);
  EXPECT_EQ(engineOf(*rules, "CHAIN_63"), Engine::Meta);
  EXPECT_NE(reason("CHAIN_64").find("nest more than 64"), std::string::npos);
  EXPECT_EQ(engineOf(*rules, "CHAIN_99999"), Engine::Disabled);
  Message m;
  m.body = "x\n";
  const auto h = hits(*rules, m);
  EXPECT_TRUE(h.count("CHAIN_63"));
  EXPECT_FALSE(h.count("CHAIN_64"));
  EXPECT_FALSE(h.count("LOOP_A"));
}

TEST(Matcher, PieceAnchorsHoldAtEachPiecesEdges) {
  // A piece's end is after its newline, and its start is \A, wherever it stands in the body.
  auto rules = compile(R"(
body TRACKER     /^[a-z0-9]{12,}\s*\z/
body LINE_END    /total:\s+\d+\s$/
body STARTS      /\Aunsubscribe/
body NOT_INSIDE  /\Bscribe/
uri  URI_END     /\.exe\z/
)");
  Message m;
  m.body = "Hello\nqwertyuiopasdf\ntotal: 12\nmore text\nunsubscribe here\nend\n";
  m.uris = {"http://a.example/setup.exe", "http://b.example/"};
  const auto h = hits(*rules, m);
  EXPECT_TRUE(h.count("TRACKER"));
  EXPECT_TRUE(h.count("LINE_END"));
  EXPECT_TRUE(h.count("STARTS"));
  EXPECT_TRUE(h.count("NOT_INSIDE"));
  EXPECT_TRUE(h.count("URI_END"));

  m.body = "Hello qwertyuiopasdf more\ntotal: 12 more\nplease unsub\nscribe\n";
  m.uris = {"http://a.example/setup.exe.txt"};
  const auto none = hits(*rules, m);
  EXPECT_FALSE(none.count("TRACKER"));
  EXPECT_FALSE(none.count("LINE_END"));
  EXPECT_FALSE(none.count("STARTS"));
  EXPECT_FALSE(none.count("NOT_INSIDE"));
  EXPECT_FALSE(none.count("URI_END"));
}

TEST(Matcher, AddressFormHasNoTrailingNewlineAndToCcExistsCountsToAndCc) {
  auto rules = compile(R"(
header FROM_ADDR_WS   From:addr =~ /\s/
header FROM_NAME_END  From:name =~ /Smith$/
header TOCC_EXISTS    exists:ToCc
header MID_EXISTS     exists:MESSAGEID
)");
  Message m;
  m.headers = {{"From", "\"Bob Smith\" <bob@example.com>\n"},
               {"Cc", "carol@example.com\n"},
               {"Message-Id", "<1@example.com>\n"}};
  const auto h = hits(*rules, m);
  EXPECT_FALSE(h.count("FROM_ADDR_WS"));
  EXPECT_TRUE(h.count("FROM_NAME_END"));
  EXPECT_TRUE(h.count("TOCC_EXISTS"));
  EXPECT_TRUE(h.count("MID_EXISTS"));
}

TEST(Matcher, DefaultScoresFollowSpamAssassin) {
  auto rules = compile(R"(
body PLAIN      /x/
body T_TESTING  /x/
body NICE_ONE   /x/
tflags NICE_ONE nice
body T_NICE     /x/
tflags T_NICE   nice
body SCORED     /x/
tflags SCORED   nice
score SCORED    2.5
)");
  const auto score = [&](const char* name) { return rules->rules()[*rules->find(name)].score; };
  EXPECT_DOUBLE_EQ(score("PLAIN"), 1.0);
  EXPECT_DOUBLE_EQ(score("T_TESTING"), 0.01);
  EXPECT_DOUBLE_EQ(score("NICE_ONE"), -1.0);
  EXPECT_DOUBLE_EQ(score("T_NICE"), -0.01);
  EXPECT_DOUBLE_EQ(score("SCORED"), 2.5);
}

}  // namespace
}  // namespace portcullis::content
