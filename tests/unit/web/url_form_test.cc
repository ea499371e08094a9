#include "gateway/web/url_form.h"

#include <gtest/gtest.h>

namespace portcullis::web {
namespace {

TEST(UrlForm, EncodesAndDecodes) {
  EXPECT_EQ(urlEncode("a b+c@d/é"), "a%20b%2Bc%40d%2F%C3%A9");
  EXPECT_EQ(urlDecode("a+b%2Bc%40d%zz%4"), "a b+c@d%zz%4");
}

TEST(UrlForm, ParsesFormsAndTargets) {
  auto form = parseForm("csrf=abc&user=a%20b&&empty=&csrf=second&flag");
  EXPECT_EQ(form["csrf"], "abc") << "the first of repeated names wins";
  EXPECT_EQ(form["user"], "a b");
  EXPECT_EQ(form["empty"], "");
  EXPECT_TRUE(form.contains("flag"));
  EXPECT_EQ(parseForm("a=1&b=2&c=3", 2).size(), 2u);
  Target t = parseTarget("/message/ABC%2F?page=2&subject=x%26y");
  EXPECT_EQ(t.path, "/message/ABC/");
  EXPECT_EQ(t.query["page"], "2");
  EXPECT_EQ(t.query["subject"], "x&y");
}

}  // namespace
}  // namespace portcullis::web
