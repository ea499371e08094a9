// Settings of the milter front end and the reader for the `[milter]` table of the configuration:
// where the milter listens, how much of each body is buffered for the checks, how quarantine is
// carried out, and the bounds on waiting for checks and on the MTA's silence.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "gateway/config/section.h"

namespace portcullis::milter {

// Where a quarantine verdict puts the message. Hold: smfi_quarantine, the MTA keeps it in its hold
// queue. Store: the gateway's own quarantine store (the FilterContext's quarantine store), then the
// milter answers discard so the MTA drops its copy; a message whose body was cut at max_body_size
// goes to the hold queue instead, since the store would only get the part that was buffered.
enum class QuarantineMode { Hold, Store };

struct MilterSettings {
  // Body bytes buffered per message; a larger message is scanned up to this many bytes and gets
  // the symbol MILTER_BODY_TRUNCATED.
  uint64_t max_body_size = 10ull << 20;
  QuarantineMode quarantine = QuarantineMode::Hold;
  // The pipeline's deadline per check. A connection waits for a stage at most (priority
  // groups of the stages it awaits) x check_timeout + wait_margin, then answers tempfail.
  std::chrono::milliseconds check_timeout{30'000};
  std::chrono::milliseconds wait_margin{1'000};
  // How long a connection waits for the quarantine store to keep a message ("store" mode)
  // before it answers tempfail.
  std::chrono::milliseconds store_timeout{30'000};
  // How long an MTA connection may stay silent (no command) before it is closed.
  std::chrono::seconds mta_timeout{7'200};
  int backlog = 128;  // per listening socket: over TCP, each io thread has one
  // How long stop() lets open MTA connections finish before the check threads end.
  std::chrono::milliseconds stop_grace{10'000};
  // Threads serving MTA connections, each with an io_context of its own; a connection and the
  // checks of its messages stay on one of them.
  size_t io_threads = 2;
};

struct MilterConfig {
  std::string listen;  // "inet:PORT@ADDRESS", "inet6:PORT@ADDRESS" or "unix:PATH"
  MilterSettings settings;
};

// Reads `[milter]`: listen (required), max_body_size, quarantine ("hold" or "store"),
// store_timeout, mta_timeout, backlog, io_threads, wait_margin, stop_grace. `check_timeout` is the
// pipeline's per-check deadline. Throws config::ConfigError at the offending line.
MilterConfig readMilterConfig(config::Section& section, std::chrono::milliseconds check_timeout);

// True for a listen specification of the form libmilter's smfi_setconn takes (inet, inet6, unix or
// local), which MTA configurations use.
bool validListenSpec(const std::string& spec);

}  // namespace portcullis::milter
