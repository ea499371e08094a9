// The context holder both front ends read new sessions' contexts from: a replacement is what the
// next reader gets, a reader keeps what it took, and readers on other threads never see a torn or
// missing context while it is replaced.
#include "gateway/pipeline/context_holder.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "gateway/pipeline/filter_context.h"

namespace portcullis {
namespace {

std::shared_ptr<const FilterContext> named(std::string hostname) {
  auto ctx = std::make_shared<FilterContext>();
  ctx->hostname = std::move(hostname);
  return ctx;
}

TEST(ContextHolder, ReplacementReachesNewReadersAndLeavesRunningOnesAlone) {
  ContextHolder<FilterContext> holder(named("first"));
  auto running = holder.current();
  holder.replace(named("second"));
  EXPECT_EQ(holder.current()->hostname, "second");
  EXPECT_EQ(running->hostname, "first");
}

TEST(ContextHolder, ReadersOnOtherThreadsAlwaysGetAContext) {
  ContextHolder<FilterContext> holder(named("0"));
  std::atomic<bool> done{false};
  std::atomic<size_t> missing{0};
  std::thread reader([&] {
    while (!done) {
      if (!holder.current() || holder.current()->hostname.empty()) ++missing;
    }
  });
  for (int i = 1; i <= 2000; ++i) holder.replace(named(std::to_string(i)));
  done = true;
  reader.join();
  EXPECT_EQ(missing, 0u);
  EXPECT_EQ(holder.current()->hostname, "2000");
}

}  // namespace
}  // namespace portcullis
