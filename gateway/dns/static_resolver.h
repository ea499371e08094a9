// A Resolver answering from an in-memory zone: conformance suites (SPF, DKIM, DMARC) and unit
// tests feed it their DNS data. Names are matched case-insensitively without a trailing dot.
// Unknown names answer NXDOMAIN; a name marked with setTimeout() answers Timeout; a name present
// without records of the asked type answers NoData. A name given a CNAME (addCname) is an alias: a
// lookup follows the chain as a recursive server would, and a loop answers ServFail. A name marked
// with setTimeoutForMissingTypes() answers Timeout for every type it has no records of (a server
// that never answers some types, as the SPF conformance suites model). Not for production lookups.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "gateway/base/text.h"
#include "gateway/dns/resolver.h"

namespace portcullis::dns {

class StaticResolver : public Resolver {
 public:
  void add(std::string_view name, RrType type, std::string record) {
    std::lock_guard lock(mutex_);
    zone_[key(name)][type].push_back(std::move(record));
  }
  void addMx(std::string_view name, uint16_t preference, std::string host) {
    std::lock_guard lock(mutex_);
    auto& entry = zone_[key(name)];
    entry[RrType::MX].push_back(host);
    mx_[key(name)].push_back({preference, std::move(host)});
  }
  // The name exists but has no records (answers NoData for every type).
  void addEmpty(std::string_view name) {
    std::lock_guard lock(mutex_);
    zone_[key(name)];
  }
  void addCname(std::string_view name, std::string_view target) {
    std::lock_guard lock(mutex_);
    cnames_[key(name)] = key(target);
  }
  void setTimeoutForMissingTypes(std::string_view name) {
    std::lock_guard lock(mutex_);
    partial_timeouts_.insert(key(name));
  }
  void setTimeout(std::string_view name) {
    std::lock_guard lock(mutex_);
    timeouts_.insert(key(name));
  }
  void setServFail(std::string_view name) {
    std::lock_guard lock(mutex_);
    servfails_.insert(key(name));
  }
  size_t queries() const {
    std::lock_guard lock(mutex_);
    return queries_;
  }

  awaitable<Answer> query(std::string name, RrType type) override { co_return lookup(name, type); }

  Answer lookup(std::string_view name, RrType type) const {
    std::lock_guard lock(mutex_);
    ++queries_;
    std::string k = key(name);
    Answer answer;
    answer.ttl = 300;
    for (int hops = 0; cnames_.count(k); ++hops) {
      if (hops == kMaxCnameHops) {
        answer.status = Status::ServFail;
        return answer;
      }
      k = cnames_.at(k);
    }
    if (timeouts_.count(k)) {
      answer.status = Status::Timeout;
      return answer;
    }
    if (servfails_.count(k)) {
      answer.status = Status::ServFail;
      return answer;
    }
    auto it = zone_.find(k);
    if (it == zone_.end()) {
      answer.status = partial_timeouts_.count(k) ? Status::Timeout : Status::NxDomain;
      return answer;
    }
    auto records = it->second.find(type);
    if (records == it->second.end() || records->second.empty()) {
      answer.status = partial_timeouts_.count(k) ? Status::Timeout : Status::NoData;
      return answer;
    }
    answer.status = Status::Ok;
    answer.records = records->second;
    if (type == RrType::MX) {
      auto mx = mx_.find(k);
      if (mx != mx_.end()) answer.mx = mx->second;
    }
    return answer;
  }

 private:
  static std::string key(std::string_view name) {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    return toLower(name);
  }

  static constexpr int kMaxCnameHops = 8;

  mutable std::mutex mutex_;
  mutable size_t queries_ = 0;
  std::map<std::string, std::map<RrType, std::vector<std::string>>> zone_;
  std::map<std::string, std::vector<MxRecord>> mx_;
  std::set<std::string> timeouts_;
  std::set<std::string> servfails_;
  std::set<std::string> partial_timeouts_;
  std::map<std::string, std::string> cnames_;
};

}  // namespace portcullis::dns
