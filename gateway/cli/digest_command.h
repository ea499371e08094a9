// `portcullis quarantine digest --now | --dry-run [-c CONFIG]`: the recipients' quarantine digest
// ([quarantine.digest]) outside its daily schedule. --now queues the digests in the delivery
// spool (as the gateway's own run does, under the same lock and with the same memory of what was
// already listed) and asks the running gateway to relay them; --dry-run prints the digests a run
// would send now, and sends and remembers nothing.
#pragma once

#include <CLI/CLI.hpp>

namespace portcullis::cli {

// Adds `digest` to the `quarantine` subcommand (whose -c option it also accepts).
void addQuarantineDigestCommand(CLI::App& quarantine, int& exit_status);

}  // namespace portcullis::cli
