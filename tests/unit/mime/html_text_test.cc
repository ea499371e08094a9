#include "gateway/mime/html_text.h"

#include <gtest/gtest.h>

namespace portcullis::mime {
namespace {

HtmlRendering render(std::string_view html) {
  return renderHtml(html, 1 << 20, 100);
}

TEST(MimeHtmlText, TagsRemovedAndWhitespaceCollapsed) {
  EXPECT_EQ(render("<html><body><b>Hello</b>\n   <i>world</i></body></html>").text, "Hello world");
}

TEST(MimeHtmlText, EntitiesDecoded) {
  EXPECT_EQ(render("caf&eacute; &amp; &#36;5 &#x20AC;3 &nbsp;x &unknown; &amp").text,
            "caf\xC3\xA9 & $5 \xE2\x82\xAC"
            "3 x &unknown; &");
}

TEST(MimeHtmlText, BlockElementsBreakLines) {
  EXPECT_EQ(render("one<br>two<div>three</div>four").text, "one\ntwo\nthree\nfour");
  EXPECT_EQ(render("<p>para one</p><p>para two</p>").text, "\n\npara one\n\n\n\npara two\n\n");
  EXPECT_EQ(render("<table><tr><td>a</td><td>b</td></tr></table>").text, " a  b ");
}

TEST(MimeHtmlText, ScriptStyleAndCommentsDropped) {
  EXPECT_EQ(
      render("a<script type=x>var s = '<b>';</script>b<style>p{}</style>c<!-- hidden -->d").text,
      "abcd");
  EXPECT_EQ(render("a<SCRIPT>x</ScRiPt>b").text, "ab");
  EXPECT_EQ(render("a<!-- never closed").text, "a");
}

TEST(MimeHtmlText, ImageAltTextIncluded) {
  EXPECT_EQ(render("Buy<img src=x.gif alt=\"cheap pills\">now").text, "Buy cheap pills now");
}

TEST(MimeHtmlText, StrayLessThanIsText) {
  EXPECT_EQ(render("1 < 2 <3").text, "1 < 2 <3");
}

TEST(MimeHtmlText, CollectsUris) {
  HtmlRendering r = render(
      "<base href='http://base.example/dir/'><a href=\"http://a.example/x?a=1&amp;b=2\">x</a>"
      "<img src=/img.png><form action=post.cgi></form><body background=bg.jpg>"
      "<meta http-equiv=Refresh content=\"0; URL='http://refresh.example/'\">"
      "<a name=anchor>no uri</a><link rel=x href=style.css>");
  ASSERT_EQ(r.uris.size(), 6u);
  EXPECT_EQ(r.uris[0], "http://a.example/x?a=1&b=2");
  EXPECT_EQ(r.uris[1], "/img.png");
  EXPECT_EQ(r.uris[2], "post.cgi");
  EXPECT_EQ(r.uris[3], "bg.jpg");
  EXPECT_EQ(r.uris[4], "http://refresh.example/");
  EXPECT_EQ(r.uris[5], "style.css");
  EXPECT_EQ(r.base_href, "http://base.example/dir/");
}

TEST(MimeHtmlText, TextLimit) {
  HtmlRendering r = renderHtml("<p>0123456789</p>", 5, 10);
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.text.size(), 5u);
}

}  // namespace
}  // namespace portcullis::mime
