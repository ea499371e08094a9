// What /readyz reports: whether the gateway can take mail now (rules and signatures loaded, spool
// writable) and, when not, why. The gateway supplies the probe; helpers here build it from named
// conditions so the 503 body says which one failed.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace portcullis::metrics {

struct Readiness {
  bool ready = false;
  std::string reason;  // why not ready; empty when ready
  std::string note;    // shown after "ready" (e.g. which engines run the rules); may be empty
};

// Called on an HTTP thread for every /readyz request: quick and thread-safe.
using ReadinessProbe = std::function<Readiness()>;

struct ReadinessCondition {
  std::function<bool()> holds;
  std::string failure;  // the reason when it does not hold, e.g. "no rules loaded"
};

// Ready when every condition holds; otherwise the reason joins the failures with "; ".
ReadinessProbe allOf(std::vector<ReadinessCondition> conditions);

// `probe`, with what `note` says (when not empty) added to a ready answer.
ReadinessProbe withNote(ReadinessProbe probe, std::function<std::string()> note);

// Whether the process may create files in `directory` now (exists, is a directory, writable by
// this process and not on a read-only mount).
bool directoryWritable(const std::filesystem::path& directory);

}  // namespace portcullis::metrics
