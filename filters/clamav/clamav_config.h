// The `[checks.clamav]` configuration: where signatures come from, the scan limits, how often the
// signature directories are checked for changes, and what each kind of finding does (symbol
// score and forced action). Every value has a safe default; read() validates with file:line.
// Also the CheckFactory for the table: it loads the engine at start-up and hands the
// EngineManager to `on_engines` (if given) so the binary can wire SIGHUP to reload() /
// requestReload() and export stats() as metrics.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "filters/clamav/engine.h"
#include "filters/clamav/engine_manager.h"
#include "gateway/core/action.h"
#include "gateway/core/check_factory.h"

namespace portcullis::config {
class Section;
}

namespace portcullis::clamav {

// What a kind of finding does: its symbol's score, and the action it forces (Accept: none).
struct Reaction {
  Action action = Action::Accept;
  double score = 0;
};

struct ClamavSettings {
  EngineOptions engine;
  std::chrono::milliseconds reload_check_period = std::chrono::minutes(5);  // 0: never
  FailMode fail_mode = FailMode::TempFail;  // when no engine is loaded or a scan errs
  Reaction on_signature{Action::Reject, 10.0};
  Reaction on_limit_exceeded{Action::Accept, 3.0};
  Reaction on_encrypted{Action::Accept, 3.0};

  // Reads and validates the table; relative signature directories are taken relative to the
  // configuration file. Does not call finish().
  static ClamavSettings read(config::Section& section);
};

// The signature directories used when the configuration names none: the project's shipped
// signatures and freshclam's database directory.
std::vector<std::filesystem::path> defaultSignatureDirs();

using EngineManagerObserver = std::function<void(std::shared_ptr<EngineManager>)>;

CheckFactory clamavCheckFactory(EngineManagerObserver on_engines = {});

}  // namespace portcullis::clamav
