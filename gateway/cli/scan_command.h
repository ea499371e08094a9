// `portcullis scan [--json] [--explain] [-c FILE] [--rules DIR]... FILE|DIR...`: runs the checks
// and the policy of a configuration offline over message files (one message per file; an mbox
// "From " first line is skipped; bare LF line ends are read as CRLF) and prints one verdict per
// message, in the order the files were named (directories are walked in name order).
//
// Without -c the content check runs with the shipped rules and the default policy. --rules
// replaces the rule files of [checks.content]. Checks that need DNS (SPF, DKIM key lookups, DMARC,
// DNSBL) are not run: scanning stays offline and repeatable.
//
// Text output: "FILE: ACTION score=S SYMBOL,..."; --json: one JSON object per line with `file`,
// `action`, `score`, `symbols` (rule names) and `reason`. --explain adds each symbol's score and
// what it matched (text lines indented below the verdict; `explain` array in JSON).
// Exit status: 0 when every file was scanned, 2 when a file could not be read or is larger than
// limits.max_message_size (the others are still scanned); configuration and rule errors end the
// command before scanning (status 1).
#pragma once

namespace CLI {
class App;
}

namespace portcullis::cli {

void addScanCommand(CLI::App& app, int& exit_status);

}  // namespace portcullis::cli
