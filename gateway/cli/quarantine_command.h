// `portcullis quarantine list [--json] [--since DURATION|TIME] [--sender ADDR] [--rcpt ADDR]
// [--limit N] | show ID | release ID [--no-learn] | delete ID | expire`: the administrator's view
// of the quarantine store. Opens the quarantine named by the [quarantine] table of the
// configuration (-c) without taking the gateway's lock; release queues the message in the
// delivery spool of [queue] and asks the running gateway to pick it up, and, when
// [checks.classifier] is configured, teaches the classifier the message as ham unless --no-learn
// (a learning failure is reported on stderr; the release stands).
#pragma once

#include <CLI/CLI.hpp>

namespace portcullis::cli {

void addQuarantineCommand(CLI::App& app, int& exit_status);

}  // namespace portcullis::cli
