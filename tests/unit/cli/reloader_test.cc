// One reload at a time: a request while one runs is dropped; once it has ended, the next runs.
#include "gateway/cli/serve/reloader.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

namespace portcullis::cli {
namespace {

TEST(Reloader, DropsARequestWhileOneRunsAndRunsTheNextOne) {
  std::atomic<int> runs{0};
  auto later = std::make_shared<std::atomic<int>>(0);
  {
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::promise<void> started;
    Reloader reloader;
    reloader.request([&runs, &started, released] {
      ++runs;
      started.set_value();
      released.wait();
    });
    started.get_future().wait();
    reloader.request([&runs] { runs += 10; });  // dropped: the first still runs
    release.set_value();
    // Requests are dropped until the first has returned; then one runs.
    while (later->load() == 0) {
      reloader.request([later] { ++*later; });
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }  // the destructor joins the thread
  EXPECT_EQ(runs.load(), 1);
  EXPECT_GE(later->load(), 1);
}

}  // namespace
}  // namespace portcullis::cli
