// How a filter turns its `[checks.NAME]` configuration table into checks. Each filter exposes one
// CheckFactory; the binary lists them (gateway/cli/check_catalog.cc). build() validates the table
// (throwing config::ConfigError with file:line) and returns the filter's checks, one per stage it
// works at. Everything a check may need from the process comes in CheckDeps.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gateway/core/asio.h"
#include "gateway/core/check.h"
#include "gateway/core/filter_events.h"

namespace portcullis {
namespace config {
class Section;
}
namespace dns {
class Resolver;
}

// What the checks being built are for, which decides how much of their preparation may wait.
enum class CheckUse {
  Offline,     // a tool that runs them now (`scan`, `rules`): fully prepared before build returns
  Validation,  // `config check`: the configuration is validated, the checks never run
  Serving,     // the gateway: serve at once, finish slow preparation in the background
};

struct CheckDeps {
  asio::thread_pool& workers;         // CPU-heavy work goes here (see offload.h)
  dns::Resolver* resolver = nullptr;  // null only in offline tools that configured no DNS
  std::filesystem::path state_dir;    // where a check may cache compiled data (rules, signatures)
  FilterEvents events;                // loads and scans, reported for the gateway's metrics
  CheckUse use = CheckUse::Offline;
};

struct CheckFactory {
  std::string name;  // the NAME of [checks.NAME]
  std::function<std::vector<std::shared_ptr<const Check>>(config::Section&, const CheckDeps&)>
      build;
};

}  // namespace portcullis
