#include "gateway/core/queue_id.h"

#include <gtest/gtest.h>

#include <set>

namespace portcullis {
namespace {

TEST(QueueId, UniqueValidAndSortedByCreation) {
  std::set<std::string> seen;
  std::string previous;
  for (int i = 0; i < 10000; ++i) {
    std::string id = newQueueId();
    EXPECT_TRUE(isValidQueueId(id)) << id;
    EXPECT_TRUE(seen.insert(id).second) << "duplicate " << id;
    EXPECT_LE(previous.substr(0, 10), id.substr(0, 10));
    previous = id;
  }
}

TEST(QueueId, RejectsPathTricks) {
  EXPECT_FALSE(isValidQueueId("../../etc/passwd"));
  EXPECT_FALSE(isValidQueueId(""));
  EXPECT_FALSE(isValidQueueId("0123456789ABCDEFGW"));
}

}  // namespace
}  // namespace portcullis
