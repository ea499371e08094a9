#include <gtest/gtest.h>

#include "gateway/quarantine/stored_message.h"

namespace portcullis::quarantine {
namespace {

using namespace std::string_literals;

TEST(StoredMessage, RoundTripsDetailsAndAnyBytes) {
  Details details{"Hello\r\nwith %controls\x01",
                  -1.25,
                  {{"A", 0.1, "matched \"v1agra\"\r\n%41"}, {"B_RULE", 1e-7}},
                  "why"};
  const std::string message = "line\r\n\0binary\r\n\r\nbody"s;
  auto decoded = decodeStoredMessage(encodeStoredMessage(details, message));
  ASSERT_TRUE(decoded) << decoded.error;
  EXPECT_EQ(decoded->message, message);
  EXPECT_EQ(decoded->details.subject, details.subject);
  EXPECT_EQ(decoded->details.score, -1.25);
  ASSERT_EQ(decoded->details.symbols.size(), 2u);
  EXPECT_EQ(decoded->details.symbols[1].name, "B_RULE");
  EXPECT_EQ(decoded->details.symbols[1].score, 1e-7);
  EXPECT_EQ(decoded->details.symbols[0].detail, "matched \"v1agra\"\r\n%41");
  EXPECT_EQ(decoded->details.symbols[1].detail, "");
  EXPECT_EQ(decoded->details.reason, "why");
}

TEST(StoredMessage, RejectsDamagedRecords) {
  std::string good = encodeStoredMessage(Details{"s", 1, {{"A", 1}}, "r"}, "msg\r\n");
  EXPECT_FALSE(decodeStoredMessage(""));
  EXPECT_FALSE(decodeStoredMessage("garbage"));
  EXPECT_FALSE(decodeStoredMessage(good.substr(0, good.size() - 3)));
  EXPECT_FALSE(decodeStoredMessage(good + "extra 1\n"));
  std::string bad_score = good;
  bad_score.replace(bad_score.find("score 1"), 7, "score x");
  EXPECT_FALSE(decodeStoredMessage(bad_score));
  for (size_t cut = 0; cut < good.size(); ++cut) {
    (void)decodeStoredMessage(good.substr(0, cut));  // never crashes
  }
}

}  // namespace
}  // namespace portcullis::quarantine
