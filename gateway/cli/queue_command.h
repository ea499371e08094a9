// `portcullis queue list [--json] | show ID | flush | delete ID`: the administrator's view of the
// durable spool. Reads the spool without taking the server's lock; flush leaves a request file
// the running queue runner picks up within one scan interval.
#pragma once

#include <CLI/CLI.hpp>

namespace portcullis::cli {

void addQueueCommand(CLI::App& app, int& exit_status);

}  // namespace portcullis::cli
