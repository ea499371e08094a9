#include "gateway/web/sessions.h"

#include <gtest/gtest.h>

namespace portcullis::web {
namespace {

using namespace std::chrono_literals;

TEST(Sessions, FoundUntilExpiryOrRemoval) {
  SessionStore store;
  auto now = spool::Clock::now();
  auto id = store.create({"admin", "", "", now + 1h}, now);
  ASSERT_TRUE(id);
  EXPECT_GE(id->size(), 43u);  // 256 bits
  auto found = store.find(*id, now + 59min);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->user, "admin");
  EXPECT_TRUE(found->admin());
  EXPECT_FALSE(store.find(*id, now + 61min));
  auto other = store.create({"", "bob@example.org", "", now + 1h}, now);
  ASSERT_TRUE(other);
  EXPECT_FALSE(store.find(*other, now)->admin());
  store.remove(*other);
  EXPECT_FALSE(store.find(*other, now));
  EXPECT_FALSE(store.find("guessed", now));
}

TEST(Sessions, EachHasItsOwnCsrfToken) {
  SessionStore store;
  auto now = spool::Clock::now();
  auto a = store.find(*store.create({"admin", "", "", now + 1h}, now), now);
  auto b = store.find(*store.create({"admin", "", "", now + 1h}, now), now);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->csrf, b->csrf);
  EXPECT_TRUE(csrfValid(*a, a->csrf));
  EXPECT_FALSE(csrfValid(*a, b->csrf));
  EXPECT_FALSE(csrfValid(*a, ""));
  EXPECT_FALSE(csrfValid(*a, a->csrf.substr(1)));
}

}  // namespace
}  // namespace portcullis::web
