// Tests of the body eval family (filters/content/eval/body_eval.cc).
#include <gtest/gtest.h>

#include <string>

#include "tests/unit/content/eval/eval_test_support.h"

namespace portcullis::content {
namespace {

using testing::compileText;
using testing::disabledReason;
using testing::scanWith;

constexpr const char* kBodyRules = R"(
body MPART_ALT_DIFF eval:multipart_alternative_difference('99', '100')
body MPART_ALT_DIFF_COUNT eval:multipart_alternative_difference_count('3', '1')
body BLANK_LINES_80_90 eval:check_blank_line_ratio('80','90','4')
body BLANK_LINES_0_10 eval:check_blank_line_ratio('0','10','4')
body TVD_SPACE_RATIO eval:tvd_vertical_words('0','10')
body TVD_SPACED eval:tvd_vertical_words('50','100')
body TVD_STOCK1 eval:check_stock_info('2')
body BODY_LENGTH_LT_128 eval:check_body_length('128')
)";

std::string alternative(const std::string& text, const std::string& html) {
  return "From: a@example.com\nSubject: offer\nMIME-Version: 1.0\n"
         "Content-Type: multipart/alternative; boundary=\"b1\"\n\n"
         "--b1\nContent-Type: text/plain; charset=us-ascii\n\n" +
         text + "\n--b1\nContent-Type: text/html; charset=us-ascii\n\n" + html + "\n--b1--\n";
}

TEST(BodyEval, AlternativesThatSayDifferentThings) {
  auto rules = compileText(kBodyRules);
  auto differ =
      scanWith(*rules, alternative("Please read this letter", "<p>Cheap pills online today</p>"));
  EXPECT_TRUE(differ.hit("MPART_ALT_DIFF"));
  EXPECT_EQ(differ.hits["MPART_ALT_DIFF"], "100% of HTML words not in the text part");

  auto same = scanWith(
      *rules, alternative("Meeting at noon tomorrow", "<p>Meeting at <b>noon</b> tomorrow</p>"));
  EXPECT_FALSE(same.hit("MPART_ALT_DIFF"));
  EXPECT_FALSE(same.hit("MPART_ALT_DIFF_COUNT"));

  // Many more text words than HTML words.
  auto wordy = scanWith(
      *rules, alternative("one two three four five six seven eight nine ten", "<p>one two</p>"));
  EXPECT_TRUE(wordy.hit("MPART_ALT_DIFF_COUNT"));
  EXPECT_EQ(wordy.hits["MPART_ALT_DIFF_COUNT"], "10 text words against 2 HTML words");

  // No multipart/alternative at all.
  EXPECT_FALSE(scanWith(*rules, "Subject: x\nContent-Type: text/html\n\n<p>a b c</p>\n")
                   .hit("MPART_ALT_DIFF"));
}

TEST(BodyEval, ImageOnlyHtmlCountsAsOneWord) {
  auto rules = compileText(kBodyRules);
  auto scanned = scanWith(*rules, alternative("Some text here", "<img src=\"cid:x\">"));
  EXPECT_TRUE(scanned.hit("MPART_ALT_DIFF"));
}

TEST(BodyEval, BlankLineRatio) {
  auto rules = compileText(kBodyRules);
  std::string airy = "Subject: x\n\nline\n";
  for (int i = 0; i < 6; ++i) airy += "\n";
  auto scanned = scanWith(*rules, airy);  // 6 of 7 lines blank: 85.7%
  EXPECT_TRUE(scanned.hit("BLANK_LINES_80_90"));
  EXPECT_EQ(scanned.hits["BLANK_LINES_80_90"], "85.71% blank lines");
  EXPECT_FALSE(scanned.hit("BLANK_LINES_0_10"));
  auto dense = scanWith(*rules, "Subject: x\n\na\nb\nc\nd\ne\n");
  EXPECT_TRUE(dense.hit("BLANK_LINES_0_10"));
  EXPECT_FALSE(dense.hit("BLANK_LINES_80_90"));
  // Fewer lines than asked for: the ratio is -1, which only "0 to max" takes.
  EXPECT_TRUE(scanWith(*rules, "Subject: x\n\n\n\n").hit("BLANK_LINES_0_10"));
}

TEST(BodyEval, VerticalWords) {
  auto rules = compileText(kBodyRules);
  auto spaced = scanWith(*rules, "Subject: hi\n\nB u y   n o w   c h e a p\n");
  EXPECT_TRUE(spaced.hit("TVD_SPACED"));
  EXPECT_FALSE(spaced.hit("TVD_SPACE_RATIO"));
  auto dense = scanWith(*rules, "Subject: hi\n\nAbsolutely_no_spaces_here.\n");
  EXPECT_TRUE(dense.hit("TVD_SPACE_RATIO"));
  // The text's final line break became a space, as in SpamAssassin's body lines: 1 of 27.
  EXPECT_EQ(dense.hits["TVD_SPACE_RATIO"], "most spaced line: 3%");
}

TEST(BodyEval, StockInfo) {
  auto rules = compileText(kBodyRules);
  auto tip = scanWith(*rules,
                      "Subject: hot pick\n\nCompany Name: Acme Corp\nSymbol: ACME\n"
                      "Current Price: $0.12\nTarget: $2.00\n");
  EXPECT_TRUE(tip.hit("TVD_STOCK1"));
  EXPECT_EQ(tip.hits["TVD_STOCK1"], "4 stock-tip field names");
  EXPECT_FALSE(scanWith(*rules, "Subject: x\n\nDate: tomorrow\nPlace: here\n").hit("TVD_STOCK1"));
  // A field name too long to be one, and a field without value.
  EXPECT_FALSE(scanWith(*rules,
                        "Subject: x\n\nThis sentence is far too long to be a symbol: x\n"
                        "Symbol:\n")
                   .hit("TVD_STOCK1"));
}

TEST(BodyEval, BodyLength) {
  auto rules = compileText(kBodyRules);
  auto short_body = scanWith(*rules, "Subject: x\n\nhi\n");
  EXPECT_TRUE(short_body.hit("BODY_LENGTH_LT_128"));
  EXPECT_EQ(short_body.hits["BODY_LENGTH_LT_128"], "body of 3 bytes");
  EXPECT_FALSE(
      scanWith(*rules, "Subject: x\n\n" + std::string(200, 'a') + "\n").hit("BODY_LENGTH_LT_128"));
}

TEST(BodyEval, SignatureLengths) {
  auto rules = compileText(R"(
body SIG_RATIO_EXCESSIVE eval:plaintext_body_sig_ratio('0','0.5')
body BODY_LONG eval:plaintext_body_length('10')
body SIG_SHORT eval:plaintext_sig_length('0','20')
)");
  const std::string message = "Subject: x\n\nhi\n-- \n" + std::string(40, 's') + "\n";
  auto scanned = scanWith(*rules, message);
  EXPECT_TRUE(scanned.hit("SIG_RATIO_EXCESSIVE"));  // 3 body bytes against 42
  EXPECT_EQ(scanned.hits["SIG_RATIO_EXCESSIVE"], "plaintext_body_sig_ratio 0.07143");
  EXPECT_FALSE(scanned.hit("BODY_LONG"));
  EXPECT_FALSE(scanned.hit("SIG_SHORT"));
  // A delimiter in the last four bytes is a decoy: no signature at all.
  auto decoy = scanWith(*rules, "Subject: x\n\n" + std::string(30, 'b') + "\n--\nab\n");
  EXPECT_FALSE(decoy.hit("SIG_RATIO_EXCESSIVE"));
  EXPECT_TRUE(decoy.hit("BODY_LONG"));
  EXPECT_TRUE(decoy.hit("SIG_SHORT"));
}

TEST(BodyEval, ImageAltTextIsNotHtmlText) {
  // SpamAssassin's HTML renderer does not show alt text: the HTML alternative has one word.
  auto rules = compileText(kBodyRules);
  auto scanned =
      scanWith(*rules, alternative("one two three four five",
                                   "<p>one</p><img src=\"a.gif\" alt=\"alpha beta gamma\">"));
  EXPECT_FALSE(scanned.hit("MPART_ALT_DIFF_COUNT"));  // needs more than one HTML word
  auto two = scanWith(*rules, alternative("one two three four five six seven",
                                          "<p>one two</p><img src=a.gif ALT='x y z w v u'>"));
  EXPECT_TRUE(two.hit("MPART_ALT_DIFF_COUNT"));
  EXPECT_EQ(two.hits["MPART_ALT_DIFF_COUNT"], "7 text words against 2 HTML words");
}

TEST(BodyEval, LongRunsOfBlankLinesAreCut) {
  // SpamAssassin keeps 20 blank lines of a longer run: 2 text lines and 20 blank ones.
  auto rules = compileText(R"(
body BLANK_90_91 eval:check_blank_line_ratio('90','91','1')
)");
  std::string message = "Subject: x\n\ntop\n" + std::string(100, '\n') + "bottom\n";
  auto scanned = scanWith(*rules, message);
  EXPECT_TRUE(scanned.hit("BLANK_90_91"));
  EXPECT_EQ(scanned.hits["BLANK_90_91"], "90.91% blank lines");
}

TEST(BodyEval, StockFieldAfterAValueOnTheNextLineIsSkipped) {
  // "Name:" takes the next line's first character as its value, so the regex resumes after it
  // and never sees "Company Name:" or "Symbol:" at a line start.
  auto rules = compileText(kBodyRules);
  EXPECT_FALSE(
      scanWith(*rules, "Subject: x\n\nName:\nCompany Name:\nSymbol: X\n").hit("TVD_STOCK1"));
  EXPECT_TRUE(
      scanWith(*rules, "Subject: x\n\nName: a\nCompany Name: Acme\nSymbol: X\n").hit("TVD_STOCK1"));
}

TEST(BodyEval, BadArgumentsDisableTheRule) {
  auto rules = compileText(R"(
body A eval:multipart_alternative_difference('99')
body B eval:check_blank_line_ratio('x', '1')
body C eval:tvd_vertical_words()
body D eval:check_stock_info('a')
body E eval:check_body_length()
body F eval:multipart_alternative_difference('0', 'undef')
)");
  for (const char* name : {"A", "B", "C", "D", "E"})
    EXPECT_NE(disabledReason(*rules, name), "") << name;
  EXPECT_EQ(disabledReason(*rules, "F"), "");
}

}  // namespace
}  // namespace portcullis::content
