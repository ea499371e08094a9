// Rewriting patterns for Hyperscan: restricting them to plain text and dropping piece anchors,
// what is removed, what is kept as written, and what makes a pattern unreadable (left alone). The
// stock-rules test checks both against PCRE2 on real mail.
#include "filters/content/pattern_rewrite.h"

#include <gtest/gtest.h>

namespace portcullis::content {
namespace {

using Kind = PlainTextPattern::Kind;

std::string restricted(std::string_view pattern) {
  const PlainTextPattern p = restrictToPlainText(pattern);
  EXPECT_EQ(p.kind, Kind::Restricted) << pattern;
  return p.pattern;
}

TEST(PlainTextPattern, DropsBranchesThatNeedHighBytes) {
  EXPECT_EQ(restricted(R"((?:[oO0]|[\xc3][\xb2\xb3]|\xce\xbf)ne)"), "(?:[oO0])ne");
  EXPECT_EQ(restricted("caf(?:e|\xe9)"), "caf(?:e)");
  EXPECT_EQ(restricted(R"(a|\xe9b|c)"), "a|c");
}

TEST(PlainTextPattern, DropsHighClassMembersAndClipsRanges) {
  EXPECT_EQ(restricted(R"([a4\xE0-\xE6@]x)"), R"([a4@]x)");
  EXPECT_EQ(restricted(R"([ -\xff]+)"), R"([ -\x7f]+)");
  EXPECT_EQ(restricted("[\xe9^a]"), R"([\^a])");
  EXPECT_EQ(restricted(R"([a\xe9-]z)"), R"([a\-]z)");
}

TEST(PlainTextPattern, DropsBranchesThatBeginWithACharacterReference) {
  EXPECT_EQ(restricted(R"((?:[eE3]|&\#(?:1(?:0(?:13|2[458]))|233);){1,2}x)"), "(?:[eE3]){1,2}x");
  // "&#?" does not need "&#"; a lone "&" stays.
  EXPECT_EQ(restrictToPlainText("(?:a|&#?x)").kind, Kind::Unchanged);
  EXPECT_EQ(restrictToPlainText("AT&T").kind, Kind::Unchanged);
}

TEST(PlainTextPattern, OptionalImpossibleAtomsDisappear) {
  EXPECT_EQ(restricted(R"(a\xad?b[\xc2\xa0]*c(?:\xe2\x80\x8b){0,2}d)"), "abcd");
  EXPECT_EQ(restrictToPlainText(R"(a\xad{1,2}b)").kind, Kind::NeverMatches);
  EXPECT_EQ(restrictToPlainText(R"([\x80-\xff]{3})").kind, Kind::NeverMatches);
  EXPECT_EQ(restrictToPlainText(R"(^(?=[\xc0-\xff]))").kind, Kind::NeverMatches);
}

TEST(PlainTextPattern, ImpossibleNegativeLookaroundAlwaysHolds) {
  EXPECT_EQ(restricted(R"(x(?!\xe9)y)"), "x(?:)y");
  EXPECT_EQ(restricted(R"((?<![\xc0-\xff])word)"), "(?:)word");
  EXPECT_EQ(restricted(R"(x(?!\xe9|a)y)"), "x(?!a)y");
}

TEST(PlainTextPattern, NegatedClassesAndSetsStayAsWritten) {
  EXPECT_EQ(restricted(R"([^\x80-\xff]\W\xe9?)"), R"([^\x80-\xff]\W)");
  EXPECT_EQ(restrictToPlainText(R"([[:alpha:]\d_-]+\b)").kind, Kind::Unchanged);
}

TEST(PlainTextPattern, UnreadableConstructsLeaveThePatternAlone) {
  for (const char* pattern :
       {R"((a)\xe9?\1)", R"(\Q\xe9\E)", R"((?x) a \xe9 # comment)", R"((?(1)a|\xe9))",
        R"((*UTF)\xe9)", R"(\351)", R"(((\xe9)|x)", R"([\xe9)", R"(\xe9\k<n>)"}) {
    EXPECT_EQ(restrictToPlainText(pattern).kind, Kind::Unchanged) << pattern;
    EXPECT_EQ(restrictToPlainText(pattern).pattern, pattern);
  }
}

TEST(PlainTextPattern, DeepNestingIsLeftAlone) {
  const std::string deep = std::string(100000, '(') + "\xe9" + std::string(100000, ')');
  EXPECT_EQ(restrictToPlainText(deep).kind, Kind::Unchanged);
  EXPECT_EQ(withoutPieceAnchors(deep), std::nullopt);
  EXPECT_EQ(restricted("((((a|\xe9))))"), "((((a))))");
}

TEST(PlainTextPattern, NamedGroupsInlineOptionsAndQuantifiers) {
  EXPECT_EQ(restricted(R"((?<w>a|\xe9)(?i)b(?i-s:c|\xe9){2,}?)"), "(?<w>a)(?i)b(?i-s:c){2,}?");
  EXPECT_EQ(restricted(R"(a\x{e9}?b\x{41})"), R"(ab\x{41})");
  EXPECT_EQ(restricted(R"(x{2}\xe9{0}y)"), "x{2}y");
}

TEST(PieceAnchors, AreDroppedOutsideClassesAndNegativeLookarounds) {
  EXPECT_EQ(withoutPieceAnchors(R"(^[a-z0-9]{6,24}\s*\z)"), R"(^[a-z0-9]{6,24}\s*)");
  EXPECT_EQ(withoutPieceAnchors(R"(\Afoo\Bbar$)"), "foobar");
  EXPECT_EQ(withoutPieceAnchors(R"((?:x|\Z)y$?)"), "(?:x|)y");
  EXPECT_EQ(withoutPieceAnchors(R"(a(?=\z))"), "a(?=)");
  EXPECT_EQ(withoutPieceAnchors(R"([$\z\B]\b^)"), std::nullopt);  // nothing to drop
  EXPECT_EQ(withoutPieceAnchors(R"(a(?!\z))"), std::nullopt);     // would narrow it
  EXPECT_EQ(withoutPieceAnchors(R"((a)\1$)"), std::nullopt);      // unreadable
  EXPECT_EQ(withoutPieceAnchors("caf\xe9$"), "caf\xe9");          // high bytes stay
}

TEST(Re2Dialect, OnlyWhatRe2ReadsAsPcre2Does) {
  const char* as_is[] = {R"((?:name|address)[\s,:]{1,5}\b(?:phone|e-?mail)$)", R"((?P<w>\w+)\s\z)",
                         R"([^a-z]\W+[\w\d])"};
  for (const char* pattern : as_is) EXPECT_EQ(inRe2Dialect(pattern), pattern);
  EXPECT_EQ(inRe2Dialect(R"(^name)"), std::nullopt);  // RE2's ^ also matches after a final newline
  EXPECT_EQ(inRe2Dialect(R"(a\vb)"), std::nullopt);   // a class in PCRE2, a character in RE2
  EXPECT_EQ(inRe2Dialect(R"([\h,]x)"), std::nullopt);
  EXPECT_EQ(inRe2Dialect(R"(\p{Lu}x)"), std::nullopt);
  EXPECT_EQ(inRe2Dialect(R"((?<w>a)b)"), std::nullopt);
  EXPECT_EQ(inRe2Dialect(R"((a)\1)"), std::nullopt);  // unreadable
  EXPECT_EQ(inRe2Dialect(R"(a\x{100})"), std::nullopt);
}

TEST(Re2Dialect, BytesAboveAsciiBecomeCaseExact) {
  EXPECT_EQ(inRe2Dialect("caf\xe9|\\xC9t\\xe9"), "caf(?-i:\xe9)|(?-i:\\xC9)t(?-i:\\xe9)");
  EXPECT_EQ(inRe2Dialect(R"(endere[\xe7]o)"), R"(endere(?-i:[\xe7])o)");
  EXPECT_EQ(inRe2Dialect(R"([a-c\xe4\xf0-\xf6]+)"), R"((?:[a-c]|(?-i:[\xe4\xf0-\xf6]))+)");
  EXPECT_EQ(inRe2Dialect(R"([ -\xff])"), R"((?:[ -\x7f]|(?-i:[\x80-\xff])))");
  EXPECT_EQ(inRe2Dialect(R"([^a\xe4])"), R"((?:(?-i:[^\x00-\x7f\xe4])|[^a\x80-\xff]))");
  EXPECT_EQ(inRe2Dialect(R"([^\W\xe4])"), R"([^\W\x80-\xff])");
  EXPECT_EQ(inRe2Dialect(R"([\S\xe4])"), R"((?:[\S]|(?-i:[\xe4])))");
}

TEST(PlainTextPattern, PlainText) {
  EXPECT_TRUE(isPlainText("Hello, world & friends\n"));
  EXPECT_TRUE(isPlainText(""));
  EXPECT_FALSE(isPlainText("caf\xc3\xa9"));
  EXPECT_FALSE(isPlainText("caf&#233;"));
}

TEST(Re2Dialect, LoosenedMakesLargeBoundsUnbounded) {
  EXPECT_EQ(inRe2DialectLoosened(R"((?:a[-_ ]{1,100}b|c){5})"), R"((?:a[-_ ]{1,}b|c){5})");
  EXPECT_EQ(inRe2DialectLoosened(R"(x{2,5}y{0,6}?z{3}w{1,99999999999999999999})"),
            R"(x{2,5}y{0,}?z{3}w{1,})");
  EXPECT_EQ(inRe2DialectLoosened(R"([{1,100}]\{1,100\})"), R"([{1,100}]\{1,100\})");
  EXPECT_EQ(inRe2DialectLoosened(R"(^a{1,100})"), std::nullopt);  // as inRe2Dialect
  EXPECT_EQ(inRe2DialectLoosened(R"((a)\1{1,100})"), std::nullopt);
}

}  // namespace
}  // namespace portcullis::content
