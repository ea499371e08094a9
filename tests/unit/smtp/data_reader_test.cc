#include "gateway/smtp/data_reader.h"

#include <gtest/gtest.h>

#include <iterator>
#include <random>

namespace portcullis::smtp {
namespace {

struct Result {
  std::string message;
  size_t consumed;
  bool done, bare, too_big;
};

Result read(std::string_view input, BareLineEndPolicy policy = BareLineEndPolicy::Reject,
            uint64_t max = 1 << 20, size_t chunk = 0) {
  Result r;
  DataReader reader(max, policy, r.message);
  r.consumed = 0;
  if (chunk == 0) chunk = input.size();
  while (r.consumed < input.size() && !reader.done()) {
    r.consumed += reader.feed(input.substr(r.consumed, chunk));
  }
  r.done = reader.done();
  r.bare = reader.sawBareLineEnd();
  r.too_big = reader.tooBig();
  return r;
}

TEST(DataReader, EndsOnlyAtCrlfDotCrlfAndLeavesTheRest) {
  auto r = read("Subject: x\r\n\r\nbody\r\n.\r\nMAIL FROM:<a@b>\r\n");
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.message, "Subject: x\r\n\r\nbody\r\n");
  EXPECT_EQ(r.consumed, std::string("Subject: x\r\n\r\nbody\r\n.\r\n").size());
}

TEST(DataReader, UnstuffsLeadingDots) {
  auto r = read("..hidden\r\n...\r\n.x\r\n.\r\n");
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.message, ".hidden\r\n..\r\nx\r\n");
}

TEST(DataReader, EmptyMessage) {
  auto r = read(".\r\n");
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.message, "");
}

TEST(DataReader, SameResultWhateverTheChunking) {
  std::string input = "a\r\n..b\r\nc\rd\ne\r\n.\r\n";
  auto whole = read(input, BareLineEndPolicy::Normalize);
  for (size_t chunk = 1; chunk < input.size(); ++chunk) {
    auto part = read(input, BareLineEndPolicy::Normalize, 1 << 20, chunk);
    EXPECT_EQ(part.message, whole.message) << chunk;
    EXPECT_EQ(part.consumed, whole.consumed) << chunk;
    EXPECT_TRUE(part.done);
  }
}

// CVE-2023-51764 and relatives: none of these end the message.
TEST(DataReader, SmugglingSequencesNeverEndTheMessage) {
  for (std::string_view fake : {"\n.\n", "\n.\r\n", "\r\n.\n", "\r.\r", "\r.\r\n", "\r\n.\r"}) {
    std::string input = "Subject: a\r\n\r\nfirst" + std::string(fake) +
                        "MAIL FROM:<evil@x.test>\r\nRCPT TO:<v@y.test>\r\nDATA\r\nforged\r\n.\r\n";
    auto r = read(input);
    EXPECT_TRUE(r.done) << "fake end " << testing::PrintToString(std::string(fake));
    EXPECT_EQ(r.consumed, input.size()) << "fake end " << testing::PrintToString(std::string(fake));
    EXPECT_TRUE(r.bare);
    EXPECT_NE(r.message.find("forged"), std::string::npos);
  }
}

TEST(DataReader, NormalizesBareLineEndsWhenAsked) {
  auto r = read("a\nb\rc\r\n.\r\n", BareLineEndPolicy::Normalize);
  EXPECT_TRUE(r.done);
  EXPECT_TRUE(r.bare);
  EXPECT_EQ(r.message, "a\r\nb\r\nc\r\n");
  // A "." line after a bare LF stays content: the relay dot-stuffs it again.
  auto s = read("a\n.\nb\r\n.\r\n", BareLineEndPolicy::Normalize);
  EXPECT_TRUE(s.done);
  EXPECT_EQ(s.message, "a\r\n.\r\nb\r\n");
}

TEST(DataReader, SizeLimitKeepsReadingToTheEnd) {
  auto r = read("0123456789\r\n0123456789\r\n.\r\nQUIT\r\n", BareLineEndPolicy::Reject, 15);
  EXPECT_TRUE(r.done);
  EXPECT_TRUE(r.too_big);
  EXPECT_EQ(r.message.size(), 15u);
  EXPECT_EQ(r.consumed, 27u);
}

// Runs of ordinary lines are taken whole; one byte at a time, every byte goes through the states
// one by one. Both must read the same message from any mix of dots, CRs, LFs and text.
TEST(DataReader, WholeRunsOfLinesReadAsByteByByte) {
  std::mt19937 random(5);
  const std::string_view pieces[] = {"text", ".", "\r\n", "\r", "\n", "\r\n.", "line\r\n"};
  for (int round = 0; round < 20'000; ++round) {
    std::string input;
    for (size_t n = random() % 16; n > 0; --n) input += pieces[random() % std::size(pieces)];
    if (random() % 2) input += "\r\n.\r\nQUIT\r\n";
    auto policy = random() % 2 ? BareLineEndPolicy::Normalize : BareLineEndPolicy::Reject;
    uint64_t max = random() % 4 == 0 ? random() % 24 : 1 << 20;
    auto whole = read(input, policy, max);
    auto bytewise = read(input, policy, max, 1);
    ASSERT_EQ(whole.message, bytewise.message) << testing::PrintToString(input);
    ASSERT_EQ(whole.consumed, bytewise.consumed) << testing::PrintToString(input);
    ASSERT_EQ(whole.done, bytewise.done) << testing::PrintToString(input);
    ASSERT_EQ(whole.bare, bytewise.bare) << testing::PrintToString(input);
    ASSERT_EQ(whole.too_big, bytewise.too_big) << testing::PrintToString(input);
  }
}

}  // namespace
}  // namespace portcullis::smtp
