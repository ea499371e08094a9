#include "filters/content/rule_parser.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "filters/content/condition.h"
#include "filters/content/regex_literal.h"

namespace portcullis::content {
namespace {

RuleSet parse(std::string_view text) {
  RuleParser parser;
  parser.addText(text, "test.cf");
  return parser.finish();
}

const Rule* find(const RuleSet& set, std::string_view name) {
  for (const auto& r : set.rules)
    if (r.name == name) return &r;
  return nullptr;
}

TEST(RegexLiteral, SlashFormWithFlags) {
  auto r = parseRegexLiteral(R"(/a\/b+c/ism)");
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(r->pattern, "a/b+c");
  EXPECT_TRUE(r->caseless);
  EXPECT_TRUE(r->dotall);
  EXPECT_TRUE(r->multiline);
  EXPECT_FALSE(r->extended);
}

TEST(RegexLiteral, BracketDelimitersNest) {
  auto r = parseRegexLiteral(R"(m{a{2}\}b}x)");
  ASSERT_TRUE(r) << r.error;
  EXPECT_EQ(r->pattern, R"(a{2}\}b)");
  EXPECT_TRUE(r->extended);
  auto bang = parseRegexLiteral("m!http://x!i");
  ASSERT_TRUE(bang) << bang.error;
  EXPECT_EQ(bang->pattern, "http://x");
}

TEST(RegexLiteral, Errors) {
  EXPECT_EQ(parseRegexLiteral("/abc").error, "regular expression is not terminated");
  EXPECT_EQ(parseRegexLiteral("/abc/q").error, "unsupported regular expression flag 'q'");
  EXPECT_EQ(parseRegexLiteral("abc").error, "regular expression must start with / or m");
  EXPECT_EQ(parseRegexLiteral("/abc/i x").error, "unexpected text after regular expression:  x");
}

TEST(RuleParser, ReadsEveryRuleType) {
  auto set = parse(R"(
header   H_SUBJ   Subject =~ /free/i
header   H_FROM   From:addr !~ /\@example\.com$/ [if-unset: nobody@example.org]
header   H_EXISTS exists:X-Mailer
header   H_EVAL   eval:check_illegal_chars('Subject', '0.05', '5')
body     B_ONE    /click here/
rawbody  R_ONE    m{<a href}i
full     F_ONE    /^Received:/m
uri      U_ONE    /\.example\.com/
mimeheader M_ONE  Content-Type =~ /name="?.*\.exe/i
meta     META_ONE (H_SUBJ && B_ONE) || U_ONE
score    B_ONE    2.5
score    H_SUBJ   0.1 0.2 0.3 0.4
describe B_ONE    Says click here
tflags   B_ONE    multiple maxhits=3
priority B_ONE    -100
)");
  EXPECT_FALSE(set.hasErrors());
  ASSERT_EQ(set.rules.size(), 10u);
  const Rule* subj = find(set, "H_SUBJ");
  ASSERT_TRUE(subj);
  EXPECT_EQ(subj->type, RuleType::Header);
  EXPECT_EQ(subj->header, "Subject");
  EXPECT_TRUE(subj->regex.caseless);
  EXPECT_DOUBLE_EQ(effectiveScore(*subj, 2), 0.3);
  const Rule* from = find(set, "H_FROM");
  EXPECT_EQ(from->header_form, HeaderForm::Addr);
  EXPECT_TRUE(from->negated);
  EXPECT_EQ(from->if_unset.value_or(""), "nobody@example.org");
  EXPECT_EQ(from->regex.pattern, R"(\@example\.com$)");
  EXPECT_TRUE(find(set, "H_EXISTS")->exists_test);
  const Rule* eval = find(set, "H_EVAL");
  EXPECT_TRUE(eval->is_eval);
  EXPECT_EQ(eval->eval_call, "check_illegal_chars");
  EXPECT_EQ(eval->eval_args, (std::vector<std::string>{"Subject", "0.05", "5"}));
  const Rule* body = find(set, "B_ONE");
  EXPECT_EQ(body->description, "Says click here");
  EXPECT_TRUE(body->tflag_multiple);
  EXPECT_EQ(body->maxhits, 3);
  EXPECT_EQ(body->priority, -100);
  EXPECT_DOUBLE_EQ(effectiveScore(*body, 1), 2.5);
  EXPECT_EQ(find(set, "M_ONE")->type, RuleType::MimeHeader);
  EXPECT_EQ(find(set, "META_ONE")->meta_expression, "(H_SUBJ && B_ONE) || U_ONE");
}

TEST(RuleParser, DefaultScores) {
  auto set = parse("body PLAIN /a/\nbody T_TESTING /b/\nbody __SUB /c/\n");
  EXPECT_DOUBLE_EQ(effectiveScore(*find(set, "PLAIN"), 0), 1.0);
  EXPECT_DOUBLE_EQ(effectiveScore(*find(set, "T_TESTING"), 0), 0.01);
  EXPECT_DOUBLE_EQ(effectiveScore(*find(set, "__SUB"), 0), 0.0);
}

TEST(RuleParser, CommentsAndEscapedHash) {
  auto set = parse("body HASH /a\\#b/ # a comment\n# whole line\n");
  ASSERT_EQ(set.rules.size(), 1u);
  EXPECT_EQ(set.rules[0].regex.pattern, "a#b");
}

TEST(RuleParser, Conditionals) {
  auto set = parse(R"(
ifplugin Mail::SpamAssassin::Plugin::NoSuchPlugin
body SKIPPED /a/
else
body TAKEN_ELSE /a/
endif
if (version >= 3.004000)
body TAKEN_VERSION /a/
endif
if !plugin(Mail::SpamAssassin::Plugin::ReplaceTags)
body SKIPPED2 /a/
endif
if can(Mail::SpamAssassin::Conf::feature_no_such_thing)
body SKIPPED3 /a/
endif
lang de describe TAKEN_VERSION Deutsch
)");
  EXPECT_FALSE(set.hasErrors());
  EXPECT_TRUE(find(set, "TAKEN_ELSE"));
  EXPECT_TRUE(find(set, "TAKEN_VERSION"));
  EXPECT_FALSE(find(set, "SKIPPED"));
  EXPECT_FALSE(find(set, "SKIPPED2"));
  EXPECT_FALSE(find(set, "SKIPPED3"));
  EXPECT_EQ(find(set, "TAKEN_VERSION")->description, "");
}

TEST(RuleParser, ErrorsAndWarningsCarryFileAndLine) {
  auto set = parse("body GOOD /a/\nbody BAD /unterminated\nendif\nfrobnicate x\n");
  ASSERT_EQ(set.diagnostics.size(), 3u);
  EXPECT_EQ(set.diagnostics[0].severity, Severity::Error);
  EXPECT_EQ(set.diagnostics[0].where.file, "test.cf");
  EXPECT_EQ(set.diagnostics[0].where.line, 2);
  EXPECT_EQ(set.diagnostics[1].where.line, 3);  // endif without if
  EXPECT_EQ(set.diagnostics[2].severity, Severity::Warning);
  EXPECT_EQ(set.diagnostics[2].where.line, 4);
  EXPECT_TRUE(find(set, "GOOD"));
  EXPECT_FALSE(find(set, "BAD"));
}

TEST(RuleParser, MissingEndifIsAnError) {
  auto set = parse("if (version >= 3.0)\nbody X /a/\n");
  EXPECT_TRUE(set.hasErrors());
}

TEST(RuleParser, ReplaceTags) {
  auto set = parse(R"(
replace_tag A (?:a|4)
replace_tag B (?:b|8)
replace_inter W1 \W?
replace_post P2 {1,2}
body TAGGED /<inter W1><post P2><A><B>!<A>/i
replace_rules TAGGED
body UNTAGGED /<A>/
replace_tag OR (?:\sor\s|/)
replace_tag AB (?:<A><OR><B>)
body NESTED /x<AB>y/
replace_rules NESTED
)");
  // As the plugin does: inter also before a tag that starts the pattern; tags inside tag values
  // replaced plainly.
  EXPECT_EQ(find(set, "TAGGED")->regex.pattern, R"(\W?(?:a|4){1,2}\W?(?:b|8){1,2}!(?:a|4){1,2})");
  EXPECT_EQ(find(set, "UNTAGGED")->regex.pattern, "<A>");
  EXPECT_EQ(find(set, "NESTED")->regex.pattern, R"(x(?:(?:a|4)(?:\sor\s|/)(?:b|8))y)");
}

TEST(RuleParser, LaterDefinitionReplacesEarlier) {
  auto set = parse("body DUP /first/\nbody DUP /second/\n");
  ASSERT_EQ(set.rules.size(), 1u);
  EXPECT_EQ(set.rules[0].regex.pattern, "second");
}

TEST(RuleParser, DirectoriesReadCfFilesInNameOrderAndFollowIncludes) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(PORTCULLIS_BINARY_DIR) / "content-parser-test";
  fs::remove_all(dir);
  fs::create_directories(dir / "sub");
  std::ofstream(dir / "20_second.cf") << "body ORDER /second/\ninclude sub/extra.inc\n";
  std::ofstream(dir / "10_first.cf") << "body ORDER /first/\nscore ORDER 3\n";
  std::ofstream(dir / "notes.txt") << "body IGNORED /x/\n";
  std::ofstream(dir / "sub" / "extra.inc") << "body INCLUDED /inc/\ninclude missing.cf\n";
  RuleSet set = loadRules({dir});
  ASSERT_TRUE(find(set, "ORDER"));
  EXPECT_EQ(find(set, "ORDER")->regex.pattern, "second");  // 20_ read after 10_
  EXPECT_DOUBLE_EQ(effectiveScore(*find(set, "ORDER"), 0), 3);
  EXPECT_TRUE(find(set, "INCLUDED"));
  EXPECT_FALSE(find(set, "IGNORED"));
  ASSERT_EQ(set.diagnostics.size(), 1u);
  EXPECT_EQ(set.diagnostics[0].where.file, (dir / "sub" / "extra.inc").string());
  EXPECT_EQ(set.diagnostics[0].where.line, 2);
  fs::remove_all(dir);
}

TEST(Condition, Expressions) {
  auto ctx = defaultConditionContext();
  EXPECT_EQ(evaluateCondition("(version >= 3.004000)", ctx).value, true);
  EXPECT_EQ(evaluateCondition("!(version >= 3.0)", ctx).value, false);
  EXPECT_EQ(
      evaluateCondition("plugin(Mail::SpamAssassin::Plugin::MIMEHeader) && version > 3", ctx).value,
      true);
  EXPECT_EQ(evaluateCondition("version >=", ctx).error, "unexpected end of condition");
  EXPECT_EQ(evaluateCondition("version # 3", ctx).error, "unexpected character '#'");
}

}  // namespace
}  // namespace portcullis::content
