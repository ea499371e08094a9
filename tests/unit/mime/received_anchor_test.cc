// Tests of what anchored patterns demand of a text's start (gateway/mime/received_anchor.h): a
// text it refuses can never match the pattern; every other text is left to the regex engine.
#include "gateway/mime/received_anchor.h"

#include <gtest/gtest.h>

namespace portcullis::mime {
namespace {

TEST(ReceivedAnchor, DemandsTheFixedStart) {
  const AnchoredStart bracket(R"re(^\[({IP})\] by (\S+) )re");
  EXPECT_TRUE(bracket.admits("[192.0.2.1] by x "));
  EXPECT_FALSE(bracket.admits("x [192.0.2.1] by x "));
  EXPECT_FALSE(bracket.admits(""));
  const AnchoredStart words(R"re(^X-Originating-IP: ({IP})$)re");
  EXPECT_TRUE(words.admits("X-Originating-IP: 1.2.3.4"));
  EXPECT_FALSE(words.admits("X-Originating-IP:1.2.3.4"));
}

TEST(ReceivedAnchor, DemandsWhatFollowsTheFirstWord) {
  const AnchoredStart sendmail(R"re(^(\S+) \(\[({IP})\]\) by (\S+) \()re");
  EXPECT_TRUE(sendmail.admits("helo ([192.0.2.1]) by x ("));
  EXPECT_TRUE(sendmail.admits("helo (["));  // the rest is the engine's to judge
  EXPECT_FALSE(sendmail.admits("helo (b [192.0.2.1]) by x ("));
  EXPECT_FALSE(sendmail.admits(" ([192.0.2.1])"));  // \S+ needs a byte
  EXPECT_FALSE(sendmail.admits("helo\t(["));        // \s other than the space ends the word
  EXPECT_FALSE(sendmail.admits("helo"));
  const AnchoredStart maybe_empty(R"re(^(\S*) \(\[({IP})\][^\)]{0,40}\) by (\S+))re");
  EXPECT_TRUE(maybe_empty.admits(" ([192.0.2.1]) by x"));
}

TEST(ReceivedAnchor, DemandsNothingItCannotReadOff) {
  for (const char* pattern : {
           R"re(\bwith local for\b)re",                   // not anchored
           R"re(^\(?from )re",                            // the first byte is optional
           R"re(^(\S+)\(({IP})\) by (\S+) via smap )re",  // no space after the first word
           R"re(^(?:a|b) )re",                            // a group first
           R"re(^a|b)re",                                 // an alternative at the top level
       }) {
    const AnchoredStart start(pattern);
    EXPECT_TRUE(start.admits("b")) << pattern;
    EXPECT_TRUE(start.admits("zzz")) << pattern;
  }
  const AnchoredStart scalix(R"re(^(\S+) \( ?({IP})\) by (\S+))re");
  EXPECT_TRUE(scalix.admits("helo (192.0.2.1) by x"));  // the optional space is not demanded
  EXPECT_FALSE(scalix.admits("helo [192.0.2.1] by x"));
}

}  // namespace
}  // namespace portcullis::mime
