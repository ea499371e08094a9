// A name → series map in front of a prometheus::Family, so that the per-message lookups of rule
// and check series (labelled by names from the configuration) cost one locked map lookup without
// building a Labels map or a throw-away Histogram. Series are never removed, so the pointers it
// hands out stay valid for the Family's life.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace portcullis::metrics {

template <typename Series>
class SeriesCache {
 public:
  // `create` adds the series to its family; it runs once per key.
  Series& get(std::string_view key, const std::function<Series&()>& create) {
    std::lock_guard lock(mutex_);
    auto it = series_.find(key);
    if (it == series_.end()) it = series_.emplace(std::string(key), &create()).first;
    return *it->second;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, Series*, std::less<>> series_;
};

}  // namespace portcullis::metrics
