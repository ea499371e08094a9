// Learns messages on a thread of its own, so that autolearn never slows a scan: the content check
// hands over a copy of what the classifier reads, which waits in a bounded queue; a message that
// finds the queue full is dropped and counted, never waited for. Drops and a failing store are
// logged at most once per interval; messages the store could not take are counted as failed.
// Destroying the learner stops it: what still waits is dropped (autolearn is best effort; nothing
// acknowledged depends on it).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "filters/classifier/classifier.h"

namespace portcullis::content {

// A ClassifierInput that owns its texts, for learning after the message is gone.
struct OwnedClassifierInput {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::vector<std::string> uris;
  std::string raw;

  static OwnedClassifierInput copyOf(const classifier::ClassifierInput& input);
  classifier::ClassifierInput view() const;
};

class BackgroundLearner {
 public:
  struct Counts {
    std::uint64_t learned_spam = 0;  // learnt, relearnt or already learnt as this class
    std::uint64_t learned_ham = 0;
    std::uint64_t dropped = 0;  // the queue was full
    std::uint64_t failed = 0;   // the store failed
  };

  // `dropped`: called (outside the learner's lock) for each message the full queue turns away.
  BackgroundLearner(std::shared_ptr<const classifier::Classifier> classifier, std::size_t capacity,
                    std::function<void()> dropped = {});
  ~BackgroundLearner();
  BackgroundLearner(const BackgroundLearner&) = delete;
  BackgroundLearner& operator=(const BackgroundLearner&) = delete;

  // Queues the message; false (and counted as dropped) when the queue is full.
  bool submit(OwnedClassifierInput input, classifier::MessageClass cls);
  Counts counts() const;
  // Returns once every queued message has been learnt (or has failed). For tests and tools.
  void drain();

 private:
  struct Job {
    OwnedClassifierInput input;
    classifier::MessageClass cls;
  };
  void run();
  // Whether a log line is due: none was written in the last kUnavailableLogInterval.
  static bool logDue(std::optional<std::chrono::steady_clock::time_point>& last);

  const std::shared_ptr<const classifier::Classifier> classifier_;
  const std::size_t capacity_;
  const std::function<void()> dropped_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Job> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  Counts counts_;
  std::optional<std::chrono::steady_clock::time_point> last_drop_logged_;
  std::optional<std::chrono::steady_clock::time_point> last_failure_logged_;
  std::thread thread_;
};

}  // namespace portcullis::content
