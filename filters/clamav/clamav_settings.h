// The `[checks.clamav]` configuration: where signatures come from, the scan limits, how often the
// signature directories are checked for changes, and what each kind of finding does (symbol
// score and forced action). Every value has a safe default; read() validates with file:line.
#pragma once

#include <chrono>

#include "filters/clamav/engine.h"
#include "gateway/core/action.h"

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

}  // namespace portcullis::clamav
