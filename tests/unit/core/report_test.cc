#include "gateway/core/report.h"

#include <gtest/gtest.h>

namespace portcullis {
namespace {

TEST(Report, SumsScoresAndFindsSymbols) {
  Report r;
  r.addSymbol({"A", 1.5, ""});
  r.addSymbol({"B", -0.5, ""});
  EXPECT_DOUBLE_EQ(r.score(), 1.0);
  EXPECT_TRUE(r.hasSymbol("A"));
  EXPECT_FALSE(r.hasSymbol("C"));
}

TEST(Report, StrictestForcedActionWins) {
  Report r;
  EXPECT_FALSE(r.forced());
  r.force({Action::Quarantine, "attachment", "", "", ""});
  r.force({Action::Reject, "virus", "554", "5.7.0", "virus found"});
  r.force({Action::Tag, "x", "", "", ""});
  ASSERT_TRUE(r.forced());
  EXPECT_EQ(r.forced()->action, Action::Reject);
  EXPECT_EQ(r.forced()->reason, "virus");
}

TEST(Report, MergeKeepsBoth) {
  Report a, b;
  a.addSymbol({"A", 1, ""});
  b.addSymbol({"B", 2, ""});
  b.updateAuth([](AuthResults& auth) { auth.spf = SpfOutcome{"pass", "mailfrom", "x.test", ""}; });
  a.merge(b);
  EXPECT_DOUBLE_EQ(a.score(), 3);
  ASSERT_TRUE(a.auth().spf);
  EXPECT_EQ(a.auth().spf->result, "pass");
}

}  // namespace
}  // namespace portcullis

#include <boost/json/parse.hpp>

#include "gateway/core/text.h"

namespace portcullis {
namespace {

TEST(JsonQuoted, EscapesQuotesBackslashesAndControlsButKeepsUtf8) {
  EXPECT_EQ(jsonQuoted("plain"), "\"plain\"");
  EXPECT_EQ(jsonQuoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(jsonQuoted("l1\nl2\r\t"), "\"l1\\nl2\\r\\t\"");
  EXPECT_EQ(jsonQuoted(std::string("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
  EXPECT_EQ(jsonQuoted("Bücher"), "\"Bücher\"");
}

TEST(JsonQuoted, ReadsBackAsTheSameString) {
  for (const std::string& s :
       {std::string("plain"), std::string("a\"b\\c/d"), std::string("l1\nl2\r\t\b\f"),
        std::string("\x00\x01\x7f", 3), std::string("Bücher \xe2\x82\xac")}) {
    EXPECT_EQ(boost::json::parse(jsonQuoted(s)).as_string(), s) << jsonQuoted(s);
  }
}

}  // namespace
}  // namespace portcullis
