#include "filters/content/background_learner.h"

#include <spdlog/spdlog.h>

#include "filters/content/eval/classifier_facts.h"

namespace portcullis::content {

OwnedClassifierInput OwnedClassifierInput::copyOf(const classifier::ClassifierInput& input) {
  OwnedClassifierInput out;
  out.headers.reserve(input.headers.size());
  for (const auto& [name, value] : input.headers) out.headers.emplace_back(name, value);
  out.body = input.body;
  out.uris.assign(input.uris.begin(), input.uris.end());
  out.raw = input.raw;
  return out;
}

classifier::ClassifierInput OwnedClassifierInput::view() const {
  classifier::ClassifierInput input;
  input.headers.reserve(headers.size());
  for (const auto& [name, value] : headers) input.headers.emplace_back(name, value);
  input.body = body;
  input.uris.assign(uris.begin(), uris.end());
  input.raw = raw;
  return input;
}

BackgroundLearner::BackgroundLearner(std::shared_ptr<const classifier::Classifier> classifier,
                                     std::size_t capacity, std::function<void()> dropped)
    : classifier_(std::move(classifier)),
      capacity_(capacity),
      dropped_(std::move(dropped)),
      thread_([this] { run(); }) {}

BackgroundLearner::~BackgroundLearner() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  thread_.join();
}

bool BackgroundLearner::logDue(std::optional<std::chrono::steady_clock::time_point>& last) {
  const auto now = std::chrono::steady_clock::now();
  if (last && now - *last < kUnavailableLogInterval) return false;
  last = now;
  return true;
}

bool BackgroundLearner::submit(OwnedClassifierInput input, classifier::MessageClass cls) {
  bool full = false;
  {
    std::lock_guard lock(mutex_);
    full = queue_.size() >= capacity_;
    if (full) {
      ++counts_.dropped;
      if (logDue(last_drop_logged_)) {
        spdlog::warn(
            "autolearn: {} messages already wait to be learnt (checks.classifier.autolearn_queue); "
            "{} not learnt so far",
            queue_.size(), counts_.dropped);
      }
    } else {
      queue_.push_back({std::move(input), cls});
    }
  }
  if (full) {
    if (dropped_) dropped_();
    return false;
  }
  wake_.notify_one();
  return true;
}

BackgroundLearner::Counts BackgroundLearner::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

void BackgroundLearner::drain() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return (queue_.empty() && !busy_) || stopping_; });
}

void BackgroundLearner::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) break;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    const auto outcome = classifier_->learn(job.input.view(), job.cls);
    lock.lock();
    busy_ = false;
    if (!outcome) {
      ++counts_.failed;
      if (logDue(last_failure_logged_))
        spdlog::warn("autolearn: the classifier's store failed: {}", outcome.error);
    } else if (job.cls == classifier::MessageClass::Spam) {
      ++counts_.learned_spam;
    } else {
      ++counts_.learned_ham;
    }
    if (queue_.empty()) idle_.notify_all();
  }
  idle_.notify_all();
}

}  // namespace portcullis::content
