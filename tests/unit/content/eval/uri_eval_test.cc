// Tests of the URI eval family (filters/content/eval/uri_eval.cc) and of the anchor reader it
// uses (filters/content/eval/html_anchors.cc).
#include <gtest/gtest.h>

#include <string>

#include "filters/content/eval/html_anchors.h"
#include "tests/unit/content/eval/eval_test_support.h"

namespace portcullis::content {
namespace {

using testing::compileText;
using testing::disabledReason;
using testing::scanWith;

constexpr const char* kUriRules = R"(
body HTTPS_HTTP_MISMATCH eval:check_https_http_mismatch('1','10')
body HTTPS_IP_MISMATCH eval:check_https_ip_mismatch()
body URI_TRUNCATED eval:check_uri_truncated()
)";

std::string html(const std::string& body) {
  return "From: a@example.com\nSubject: account\nContent-Type: text/html\n\n<html><body>" + body +
         "</body></html>\n";
}

TEST(UriEval, HttpsTextOverAnotherSite) {
  auto rules = compileText(kUriRules);
  auto phish = scanWith(*rules, html("<a href=\"http://evil-site.example.com/login\">"
                                     "https://www.mybank.com/login</a>"));
  EXPECT_TRUE(phish.hit("HTTPS_HTTP_MISMATCH"));
  EXPECT_EQ(phish.hits["HTTPS_HTTP_MISMATCH"],
            "link to example.com shown as https://www.mybank.com");

  auto honest = scanWith(*rules, html("<a href=\"http://www.mybank.com/x\">"
                                      "https://secure.mybank.com/</a>"));
  EXPECT_FALSE(honest.hit("HTTPS_HTTP_MISMATCH"));

  auto plain_text = scanWith(*rules, html("<a href=\"http://shop.example.com/\">our shop</a>"));
  EXPECT_FALSE(plain_text.hit("HTTPS_HTTP_MISMATCH"));
}

TEST(UriEval, HttpsMismatchNeedsFewerThanMaxAnchors) {
  auto rules = compileText(kUriRules);
  std::string many = "<a href=\"http://evil.example.com/\">https://www.mybank.com/</a>";
  for (int i = 0; i < 10; ++i)
    many += "<a href=\"http://site" + std::to_string(i) + ".example.org/\">x</a>";
  EXPECT_FALSE(scanWith(*rules, html(many)).hit("HTTPS_HTTP_MISMATCH"));
}

TEST(UriEval, HttpsShownOverAnIpAddress) {
  auto rules = compileText(kUriRules);
  auto scanned =
      scanWith(*rules, html("<a href=\"http://192.0.2.7/bank/\">https://www.mybank.com</a>"));
  EXPECT_TRUE(scanned.hit("HTTPS_IP_MISMATCH"));
  EXPECT_EQ(scanned.hits["HTTPS_IP_MISMATCH"], "link to http://192.0.2.7/bank/ shown as https");
  EXPECT_FALSE(scanWith(*rules, html("<a href=\"http://192.0.2.7/\">https://192.0.2.7/</a>"))
                   .hit("HTTPS_IP_MISMATCH"));
  EXPECT_FALSE(
      scanWith(*rules, html("<a href=\"http://192.0.2.7/\">click</a>")).hit("HTTPS_IP_MISMATCH"));
}

TEST(UriEval, TruncatedUri) {
  auto rules = compileText(kUriRules);
  const std::string long_uri = "http://example.com/" + std::string(9000, 'a');
  EXPECT_TRUE(scanWith(*rules, html("<a href=\"" + long_uri + "\">x</a>")).hit("URI_TRUNCATED"));
  EXPECT_FALSE(
      scanWith(*rules, html("<a href=\"http://example.com/\">x</a>")).hit("URI_TRUNCATED"));
}

TEST(HtmlAnchors, CollectsTextPerLink) {
  const auto anchors = htmlAnchors(
      "<a href=' http://a.example/ '>one &amp; two</a> outside "
      "<A HREF=\"http://a.example/\"><img src=x>three</A><script>no</script>"
      "<a>bare</a><!-- <a href=\"http://c.example/\">hidden</a> -->");
  ASSERT_EQ(anchors.anchor_texts.count("http://a.example/"), 1u);
  const auto& texts = anchors.anchor_texts.at("http://a.example/");
  ASSERT_EQ(texts.size(), 2u);
  EXPECT_EQ(texts[0], "one & two");
  EXPECT_EQ(texts[1], "<img>\nthree");
  EXPECT_EQ(anchors.anchor_texts.at("").front(), "bare");
  EXPECT_EQ(anchors.anchor_texts.count("http://c.example/"), 0u);
  EXPECT_FALSE(anchors.uri_truncated);
}

TEST(HtmlAnchors, SurvivesBrokenMarkup) {
  const auto anchors = htmlAnchors("<a href=\"http://x.example/ <b>unterminated <a href=");
  EXPECT_LE(anchors.anchor_texts.size(), 2u);
  EXPECT_TRUE(htmlAnchors("<<<>>><a").anchor_texts.size() <= 1u);
  EXPECT_TRUE(htmlAnchors("").anchor_texts.empty());
}

TEST(UriEval, BadArgumentsDisableTheRule) {
  auto rules = compileText(R"(
body A eval:check_https_http_mismatch('x')
body B eval:check_https_ip_mismatch('1')
body C eval:check_uri_truncated('1')
)");
  for (const char* name : {"A", "B", "C"}) EXPECT_NE(disabledReason(*rules, name), "") << name;
}

}  // namespace
}  // namespace portcullis::content
