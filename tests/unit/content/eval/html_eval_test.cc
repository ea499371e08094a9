// Tests of the html eval family (filters/content/eval/html_eval.cc) and of the HTML facts it
// reads (filters/content/eval/html_facts.h). Expected measures were checked against
// SpamAssassin's own Mail::SpamAssassin::HTML on the same documents.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "filters/content/eval/html_facts.h"
#include "tests/unit/content/eval/eval_test_support.h"

namespace portcullis::content {
namespace {

using testing::compileText;
using testing::disabledReason;
using testing::scanWith;

std::string htmlMessage(const std::string& html, const std::string& subject = "Hello there") {
  return "From: a@example.com\nTo: b@example.org\nSubject: " + subject +
         "\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n" + html + "\n";
}

double value(const HtmlDocumentFacts& facts, const char* name) {
  const double* v = facts.value(name);
  return v ? *v : -1;
}

HtmlDocumentFacts facts(std::string_view html) {
  return analyzeHtml(html, html.size());
}

// ---------------------------------------------------------------------------------------------
// The measures, document by document.

TEST(HtmlFacts, CountsTagsElementsAndExtraCloses) {
  const auto f = facts("<html><body><b>x</b></b></b></body></html><blink>y</blink>");
  EXPECT_EQ(value(f, "html"), 1);
  EXPECT_DOUBLE_EQ(value(f, "closed_extra_ratio"), 2.0 / 10);
  EXPECT_DOUBLE_EQ(value(f, "bad_tag_ratio"), 2.0 / 10);
  EXPECT_DOUBLE_EQ(value(f, "non_element_ratio"), 1.0 / 4);
  EXPECT_EQ(f.inside.at("b"), 0);
  EXPECT_EQ(f.inside.at("blink"), 0);
}

TEST(HtmlFacts, LeavesRatiosUndefinedWithoutTags) {
  const auto f = facts("just text, <not a tag");
  EXPECT_EQ(f.value("closed_extra_ratio"), nullptr);
  EXPECT_EQ(f.value("bad_tag_ratio"), nullptr);
  EXPECT_EQ(value(f, "length"), 21);
}

TEST(HtmlFacts, MeasuresWordsSplitByTags) {
  const auto f = facts(
      "<html><body><font color=\"#fefefe\">hidden</font>"
      "<p style=\"color: white; background-color: #ffffff\">x</p>"
      "Hel<b>lo</b> wor<i>ld</i></body></html>");
  EXPECT_NEAR(value(f, "obfuscation_ratio"), 2.0 / 12, 1e-9);
  EXPECT_EQ(value(f, "backhair_count"), 1);  // "Hel|lo" and "wor|ld" are both 3_2
  EXPECT_EQ(value(f, "font_low_contrast"), 1);
}

TEST(HtmlFacts, ReadsColoursAsSpamAssassinDoes) {
  auto contrast = [](const std::string& html) {
    return facts(html).value("font_low_contrast") != nullptr;
  };
  EXPECT_TRUE(contrast("<font color=white>a</font>"));
  EXPECT_TRUE(
      contrast("<span style=\"color:rgb(255,255,254);background:#fff url(x.png)\">w</span>"));
  EXPECT_TRUE(contrast("<span style=\"color: transparent\">w</span>"));
  EXPECT_TRUE(contrast("<body text=\"#fffffe\">w"));
  EXPECT_FALSE(contrast("<font color=\"#333333\">a</font>"));
  EXPECT_FALSE(contrast("<table bgcolor=black><tr><td><font color=black>a</font>"));
  EXPECT_FALSE(contrast("<span style=\"color: inherit\">a</span>"));
  // A colour that is neither a name nor #hex is invalid; so is hex without '#'.
  EXPECT_NE(facts("<font color=\"ffffff\">a</font>").value("font_invalid_color"), nullptr);
  EXPECT_EQ(facts("<font color=\"#fff\">a</font>").value("font_invalid_color"), nullptr);
  const auto f = facts("<p style=\"color:#fefefe\">faint text</p>");
  EXPECT_NE(f.contrast_evidence.find("between #fefefe and #ffffff"), std::string::npos)
      << f.contrast_evidence;
}

TEST(HtmlFacts, TracksFontSizes) {
  const auto f = facts("<font size=7>big</font><font size=\"-2\">small</font>");
  EXPECT_EQ(value(f, "max_size"), 7);
  EXPECT_EQ(value(f, "min_size"), 1);
  EXPECT_EQ(value(facts("<basefont size=5><font size=+2>x</font>"), "max_size"), 7);
}

TEST(HtmlFacts, JudgesFontFaces) {
  EXPECT_EQ(facts("<font face=\"Comic Sans MS, Arial\">a</font>").value("font_face_bad"), nullptr);
  EXPECT_EQ(facts("<font face=\"'Segoe UI', sans-serif;\">a</font>").value("font_face_bad"),
            nullptr);
  EXPECT_NE(facts("<font face=\"@#$\">a</font>").value("font_face_bad"), nullptr);
  EXPECT_NE(facts("<font face>a</font>").value("font_face_bad"), nullptr);
}

TEST(HtmlFacts, MeasuresImagesTitlesAnchorsAndComments) {
  const auto f = facts(
      "<title>The title</title><a href=\"http://x.example/\"><img src=a.gif width=300 "
      "height=50%></a><!x><!-- saved from url=(0022)http://internet.e-mail -->"
      "<script>if (a<b) x;</script><iframe src=\"http://frame.example/\"></iframe>");
  EXPECT_EQ(value(f, "image_area"), 300 * 300);
  ASSERT_EQ(f.titles.size(), 1u);
  EXPECT_EQ(f.titles[0], "The title");
  ASSERT_EQ(f.anchors.size(), 1u);
  EXPECT_EQ(f.anchors[0], "<img>\n");
  ASSERT_EQ(f.comments.size(), 2u);
  EXPECT_EQ(f.comments[0], "<!x>");
  ASSERT_EQ(f.scripts.size(), 1u);
  EXPECT_EQ(f.scripts[0], "if (a<b) x;");
  EXPECT_EQ(f.iframe_src, "http://frame.example/");
}

TEST(HtmlFacts, TokenisesBrokenMarkupAsHtmlParserDoes) {
  // An unterminated comment ends at the first '>' once the input is over.
  auto f = facts("<p>a<!-- never closed <b>bold</b> --");
  ASSERT_EQ(f.comments.size(), 1u);
  EXPECT_EQ(f.comments[0], "<!-- never closed <b>");
  EXPECT_EQ(f.inside.at("b"), 0);
  EXPECT_DOUBLE_EQ(value(f, "closed_extra_ratio"), 0.5);
  // An unterminated quote makes the rest of the document one comment.
  f = facts("<a href=\"x>y</a> and more <b>text</b>");
  EXPECT_TRUE(f.inside.empty());
  ASSERT_EQ(f.comments.size(), 1u);
  // Conditional comments, a doctype, a processing instruction, an unclosed style.
  f = facts("<![if !x]>a<![endif]><!DOCTYPE html><?php x ?><style>p{}");
  EXPECT_EQ(f.comments.size(), 2u);
  EXPECT_EQ(f.inside.at("!doctype"), 0);
  EXPECT_EQ(f.inside.at("style"), 0);
  EXPECT_EQ(value(f, "non_space_len"), 1);
}

TEST(HtmlFacts, FindsTheMetaCharsets) {
  const auto f =
      facts("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=koi8-r\"><p>x");
  ASSERT_EQ(f.charsets.size(), 1u);
  EXPECT_EQ(f.charsets[0], "koi8-r");
}

// Hostile documents: bounded work, no crash, sane answers.
TEST(HtmlFacts, SurvivesHostileDocuments) {
  std::string big;
  while (big.size() < (1u << 20)) big += "<p><font color=red>word <b>split</b>ting</font></p>\n";
  EXPECT_EQ(value(facts(big), "html"), 1);

  std::string nested;
  for (int i = 0; i < 100000; ++i) nested += "<font size=+1><td><div>";
  nested += "deep";
  for (int i = 0; i < 100000; ++i) nested += "</div></td></font>";
  const auto deep = facts(nested);
  EXPECT_EQ(deep.inside.at("font"), 0);

  std::string marked;
  for (int i = 0; i < 50000; ++i) marked += "<![ cdata [x";
  facts(marked);

  EXPECT_EQ(facts("<!--" + std::string(1 << 20, '-')).comments.size(), 1u);
  EXPECT_TRUE(facts("<a href='" + std::string(1 << 20, 'x')).inside.empty());
  std::string garbage;
  for (uint32_t i = 0; i < (1u << 20); ++i) garbage += static_cast<char>((i * 7919u) % 256u);
  facts(garbage);
  std::string attributes = "<a";
  for (int i = 0; i < 100000; ++i) attributes += " x" + std::to_string(i) + "/href=y";
  EXPECT_EQ(facts(attributes + ">link</a>").anchors.size(), 1u);
  facts(std::string(1 << 20, '<'));
  facts(std::string(1 << 20, '&'));
  facts("<title>" + std::string(1 << 20, 'x'));
}

// ---------------------------------------------------------------------------------------------
// The rules, on whole messages.

constexpr const char* kHtmlRules = R"(
body HTML_MESSAGE eval:html_test('html')
body HTML_FONT_LOW_CONTRAST eval:html_test('font_low_contrast')
body HTML_EXTRA_CLOSE eval:html_range('closed_extra_ratio', '0.09', 'inf')
body HTML_FONT_SIZE_HUGE eval:html_range('max_size', '6', 'inf')
body HTML_TAG_BALANCE_BODY eval:html_tag_balance('body', '!= 0')
body __TAG_EXISTS_HTML eval:html_tag_exists('html')
body HTML_IMAGE_ONLY_04 eval:html_image_only('0000','0400')
body HTML_IMAGE_RATIO_02 eval:html_image_ratio('0.000','0.002')
body __HTML_LENGTH_384 eval:html_eval('length', '< 384')
body HTML_OBFUSCATE_10_20 eval:html_range('obfuscation_ratio','.1','.2')
body __HTML_TITLE_SUBJ_DIFF eval:html_title_subject_ratio('3.5')
body HTML_COMMENT_SHORT eval:html_text_match('comment', '<!(?!-).{0,6}>')
body __HTML_LINK_IMAGE eval:html_text_match('anchor', '<img>')
body HTML_IFRAME_SRC eval:check_iframe_src()
body HTML_FONT_FACE_BAD eval:html_test('font_face_bad')
body __HTML_CHARSET_FARAWAY eval:html_charset_faraway()
)";

TEST(HtmlEval, HtmlMessageHitsHtmlPartsOnly) {
  auto rules = compileText(kHtmlRules);
  auto html = scanWith(*rules, htmlMessage("<html><body><p>Hello</p></body></html>"));
  EXPECT_TRUE(html.hit("HTML_MESSAGE"));
  EXPECT_EQ(html.hits["HTML_MESSAGE"], "html part 1: html");
  EXPECT_TRUE(html.hit("__TAG_EXISTS_HTML"));
  auto plain = scanWith(*rules, "From: a@example.com\nSubject: x\n\n<html>not html</html>\n");
  EXPECT_FALSE(plain.hit("HTML_MESSAGE"));
  EXPECT_FALSE(plain.hit("__TAG_EXISTS_HTML"));
}

TEST(HtmlEval, LowContrastNamesTheColours) {
  auto rules = compileText(kHtmlRules);
  auto hit = scanWith(*rules, htmlMessage("<p>Buy now <font color=\"#fefefe\">ham words</font>"));
  ASSERT_TRUE(hit.hit("HTML_FONT_LOW_CONTRAST"));
  EXPECT_NE(hit.hits["HTML_FONT_LOW_CONTRAST"].find("between #fefefe and #ffffff"),
            std::string::npos)
      << hit.hits["HTML_FONT_LOW_CONTRAST"];
  EXPECT_FALSE(
      scanWith(*rules, htmlMessage("<font color=navy>fine</font>")).hit("HTML_FONT_LOW_CONTRAST"));
}

TEST(HtmlEval, RangesAndBalances) {
  auto rules = compileText(kHtmlRules);
  auto hit = scanWith(*rules, htmlMessage("<body><b>x</b></b></b><font size=7>Big</font>"));
  EXPECT_TRUE(hit.hit("HTML_EXTRA_CLOSE"));
  EXPECT_NE(hit.hits["HTML_EXTRA_CLOSE"].find("closed_extra_ratio 0.285714 in (0.09, inf]"),
            std::string::npos)
      << hit.hits["HTML_EXTRA_CLOSE"];
  EXPECT_TRUE(hit.hit("HTML_FONT_SIZE_HUGE"));
  EXPECT_TRUE(hit.hit("HTML_TAG_BALANCE_BODY"));
  EXPECT_TRUE(hit.hit("__HTML_LENGTH_384"));
  auto miss = scanWith(*rules, htmlMessage("<body><b>x</b>" + std::string(400, 'y') + "</body>"));
  EXPECT_FALSE(miss.hit("HTML_EXTRA_CLOSE"));
  EXPECT_FALSE(miss.hit("HTML_FONT_SIZE_HUGE"));
  EXPECT_FALSE(miss.hit("HTML_TAG_BALANCE_BODY"));
  EXPECT_FALSE(miss.hit("__HTML_LENGTH_384"));
}

TEST(HtmlEval, ImagesAndLinkedImages) {
  auto rules = compileText(kHtmlRules);
  auto hit = scanWith(*rules, htmlMessage("<a href=\"http://x.example/\"><img src=\"cid:1\" "
                                          "width=600 height=400>Click</a>"));
  EXPECT_TRUE(hit.hit("HTML_IMAGE_ONLY_04"));
  EXPECT_TRUE(hit.hit("HTML_IMAGE_RATIO_02"));
  EXPECT_TRUE(hit.hit("__HTML_LINK_IMAGE"));
  auto text = scanWith(*rules, htmlMessage("<p>" + std::string(500, 'w') + "</p>"));
  EXPECT_FALSE(text.hit("HTML_IMAGE_ONLY_04"));
  EXPECT_FALSE(text.hit("HTML_IMAGE_RATIO_02"));
  EXPECT_FALSE(text.hit("__HTML_LINK_IMAGE"));
}

TEST(HtmlEval, ObfuscationTitleCommentsIframesFaces) {
  auto rules = compileText(kHtmlRules);
  auto hit = scanWith(
      *rules, htmlMessage("<title>A title far longer than the subject of the message</title>"
                          "V<b>i</b>a<b>g</b>ra<!x><iframe src=\"http://x.example/\"></iframe>"
                          "<font face=\"@@@\">x</font>",
                          "Hi"));
  EXPECT_TRUE(hit.hit("__HTML_TITLE_SUBJ_DIFF"));
  EXPECT_TRUE(hit.hit("HTML_COMMENT_SHORT"));
  EXPECT_EQ(hit.hits["HTML_COMMENT_SHORT"], "html part 1: comment \"<!x>\"");
  EXPECT_EQ(hit.hits["HTML_IFRAME_SRC"], "html part 1: iframe src \"http://x.example/\"");
  EXPECT_TRUE(hit.hit("HTML_FONT_FACE_BAD"));
  EXPECT_TRUE(scanWith(*rules, htmlMessage("<p>Buy V<b>ia</b>gra now</p><p>and</p><p>save</p>"
                                           "<p>on pills</p>"))
                  .hit("HTML_OBFUSCATE_10_20"));
  auto miss = scanWith(*rules, htmlMessage("<title>Short</title><!-- comment --><p>Viagra</p>",
                                           "A subject of some length"));
  EXPECT_FALSE(miss.hit("__HTML_TITLE_SUBJ_DIFF"));
  EXPECT_FALSE(miss.hit("HTML_COMMENT_SHORT"));
  EXPECT_FALSE(miss.hit("HTML_IFRAME_SRC"));
  EXPECT_FALSE(miss.hit("HTML_OBFUSCATE_10_20"));
}

TEST(HtmlEval, CharsetFarawayNeedsOkLocales) {
  const std::string message =
      htmlMessage("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=koi8-r\">x");
  EXPECT_FALSE(scanWith(*compileText(kHtmlRules), message).hit("__HTML_CHARSET_FARAWAY"));
  auto english = compileText(std::string(kHtmlRules) + "ok_locales en\n");
  EXPECT_TRUE(scanWith(*english, message).hit("__HTML_CHARSET_FARAWAY"));
  auto russian = compileText(std::string(kHtmlRules) + "ok_locales en ru\n");
  EXPECT_FALSE(scanWith(*russian, message).hit("__HTML_CHARSET_FARAWAY"));
}

TEST(HtmlEval, HtmlAttachmentsByNameCount) {
  auto rules = compileText(kHtmlRules);
  const std::string message =
      "From: a@example.com\nSubject: x\nMIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nhi\n"
      "--b\nContent-Type: application/octet-stream; name=\"page.html\"\n"
      "Content-Transfer-Encoding: base64\n\nPGh0bWw+PGJvZHk+aGk8L2JvZHk+PC9odG1sPg==\n--b--\n";
  EXPECT_TRUE(scanWith(*rules, message).hit("HTML_MESSAGE"));
}

TEST(HtmlEval, BadArgumentsDisableTheRule) {
  auto rules = compileText(R"(
body BAD_EVAL eval:html_eval('length', 'system(1)')
body BAD_BALANCE eval:html_tag_balance('a b', '!= 0')
body BAD_RANGE eval:html_range('length')
body BAD_REGEX eval:html_text_match('comment', '(unclosed')
body BAD_LIST eval:html_text_match('visible', 'x')
body BAD_ONLY eval:html_image_only('1')
body BAD_TEST eval:html_test()
)");
  for (const char* name :
       {"BAD_EVAL", "BAD_BALANCE", "BAD_RANGE", "BAD_REGEX", "BAD_LIST", "BAD_ONLY", "BAD_TEST"})
    EXPECT_NE(disabledReason(*rules, name), "") << name;
  EXPECT_NE(disabledReason(*rules, "BAD_EVAL").find("html_eval"), std::string::npos);
}

}  // namespace
}  // namespace portcullis::content
