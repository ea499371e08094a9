// Tests of the plain-scanning field finders (gateway/mime/received_scan.h). Expected values are
// what the patterns they stand for capture under Perl's leftmost-first matching.
#include "gateway/mime/received_scan.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

namespace portcullis::mime::received_scan {
namespace {

std::string shown(const std::optional<std::string_view>& found) {
  return found ? "<" + std::string(*found) + ">" : "none";
}

TEST(ReceivedScan, FindsTheQueueId) {
  EXPECT_EQ(shown(queueId("by mx id 4F1B2 for <a@b>")), "<4F1B2>");
  EXPECT_EQ(shown(queueId("with SMTP id <87.0000CBB5@HOST>; date")), "<87.0000CBB5@HOST>");
  EXPECT_EQ(shown(queueId("id abc")), "none");          // the key begins with a space
  EXPECT_EQ(shown(queueId(" id ab id abc")), "<abc>");  // at least three bytes
  EXPECT_EQ(shown(queueId(" id <ab> id x1;y")), "none");
  EXPECT_EQ(shown(queueId(" id <<abc")), "none");  // only one '<' may precede it
  EXPECT_EQ(shown(queueId(" id abc;def")), "<abc>");
  EXPECT_EQ(shown(queueId(" id  abc")), "none");
  EXPECT_EQ(shown(queueId(" id id abc")), "<abc>");
}

TEST(ReceivedScan, FindsHeloArguments) {
  EXPECT_EQ(shown(heloAssignment("([192.0.2.1] helo=mail.example)")), "<mail.example>");
  EXPECT_EQ(shown(heloAssignment("xhelo=a helo=b")), "<b>");   // \b before "helo="
  EXPECT_EQ(shown(heloAssignment("helo= helo=[x]")), "none");  // '[' is not a HELO byte
  EXPECT_EQ(shown(heloAssignment("-helo=a:b=c/d\\e!")), "<a:b=c/d\\e!>");
  EXPECT_EQ(shown(heloCommand("(EHLO b.example) (HELO a.example)")), "<b.example>");
  EXPECT_EQ(shown(heloCommand("xHELO a EHLO b")), "<b>");
  EXPECT_EQ(shown(heloCommand("helo a")), "none");  // case-sensitive
  EXPECT_EQ(shown(heloCommand("HELO (x) HELO y")), "<y>");
}

TEST(ReceivedScan, FindsTheReceivingHost) {
  EXPECT_EQ(shown(byHost("from a (b [1.2.3.4]) by mx.example (Postfix)")), "<mx.example>");
  EXPECT_EQ(shown(byHost("from a by  by b;")), "<b;>");
  EXPECT_EQ(shown(byHost("from a by")), "none");
  EXPECT_EQ(shown(byHost("x by \xe9t\xe9 y")), "<\xe9t\xe9>");  // Latin-1 bytes are \S
}

TEST(ReceivedScan, ReadsTheStartOfTheField) {
  EXPECT_TRUE(startsWithFrom("from a"));
  EXPECT_TRUE(startsWithFrom("(FROM a"));
  EXPECT_FALSE(startsWithFrom("((from a"));
  EXPECT_FALSE(startsWithFrom("from"));
  EXPECT_TRUE(saysWithLocalFor("by x with local for y"));
  EXPECT_TRUE(saysWithLocalFor("with local for"));
  EXPECT_FALSE(saysWithLocalFor("xwith local for y"));
  EXPECT_FALSE(saysWithLocalFor("with local form"));
  EXPECT_TRUE(saysWithLocalFor("with local form with local for;"));
  EXPECT_EQ(shown(hostOnlyFrom("from host.example by relay.example; date")), "<host.example>");
  EXPECT_EQ(shown(hostOnlyFrom("From [1.2.3.4] BY relay ;")), "<[1.2.3.4]>");
  EXPECT_EQ(shown(hostOnlyFrom("from host by relay  ;")), "none");
  EXPECT_EQ(shown(hostOnlyFrom("from host by relay with x;")), "none");
  EXPECT_EQ(shown(hostOnlyFrom("from host by ;")), "none");
}

std::string dateAt(std::string_view text) {
  const auto at = trailingDate(text);
  return at ? std::string(text.substr(*at)) : "none";
}

TEST(ReceivedScan, FindsTheTrailingDate) {
  EXPECT_EQ(dateAt("id x; Mon, 2 Sep 2002 07:19:11 -0400"), "; Mon, 2 Sep 2002 07:19:11 -0400");
  EXPECT_EQ(dateAt("id x ;; 22 Aug 2002 11:46:29 -0000"), " ;; 22 Aug 2002 11:46:29 -0000");
  EXPECT_EQ(dateAt("x 2 Sep 2002 07:19 (EDT)"), " 2 Sep 2002 07:19 (EDT)");
  // The leftmost start whose rest matches: the date must run to the end of the text.
  EXPECT_EQ(dateAt(" 1 Jan 2 3:4 x 2 Feb 2002 1:2:3 +0000"), " 2 Feb 2002 1:2:3 +0000");
  EXPECT_EQ(dateAt("x 2 Sep 2002 07:19:11 -0400 (EDT)"), "none");  // two words after the time
  EXPECT_EQ(dateAt("x 2 Sep 2002 07:19:11:12 -0400"), "none");
  EXPECT_EQ(dateAt("x 2 Sep 2002 07::11 -0400"), "none");
  EXPECT_EQ(dateAt("x 2 Sep 2002 :07:11 -0400"), "none");
  EXPECT_EQ(dateAt("x 2 Sep 2002 0711 -0400"), "none");
  EXPECT_EQ(dateAt("x 2 sep 2002 07:11 -0400"), "none");                         // case-sensitive
  EXPECT_EQ(dateAt("x Mon 2 Sep 2002 07:11 -0400"), " 2 Sep 2002 07:11 -0400");  // no comma
  EXPECT_EQ(dateAt("x Aug, 22 2002 4:47:16 AM -0000"), "none");                  // month first
  EXPECT_EQ(dateAt("x\t2 Sep 2002 07:11 +0000"), "\t2 Sep 2002 07:11 +0000");
  EXPECT_EQ(dateAt("x\v2 Sep 2002 07:11 +0000"), "none");   // \v is not RE2's \s
  EXPECT_EQ(dateAt("x 2 Sep 2002 07:11 +0000\n"), "none");  // RE2's $ is the end of the text
  EXPECT_EQ(dateAt("x 2 Sep 2002 07:11 "), "none");
  EXPECT_EQ(dateAt("2 Sep 2002 07:11 +0000"), "none");  // the separator is needed
}

}  // namespace
}  // namespace portcullis::mime::received_scan
