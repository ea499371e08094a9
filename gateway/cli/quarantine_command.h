// `portcullis quarantine list [--json] [--since DURATION|TIME] [--sender ADDR] [--rcpt ADDR]
// [--limit N] | show ID | release ID | delete ID | expire`: the administrator's view of the
// quarantine store. Opens the quarantine named by the [quarantine] table of the configuration
// (-c) without taking the gateway's lock; release queues the message in the delivery spool of
// [queue] and asks the running gateway to pick it up.
#pragma once

#include <CLI/CLI.hpp>

namespace portcullis::cli {

void addQuarantineCommand(CLI::App& app, int& exit_status);

}  // namespace portcullis::cli
