// `portcullis rules`: offline tools for rule authors.
//   rules check [--json] [--warnings] [--cache-dir DIR] [--score-set N] PATH...
//       reads and compiles rule files, prints every error and every disabled rule with file:line
//       and reason and a summary; exit status 1 when a file has errors.
//   rules test [--explain] [--cache-dir DIR] PATH...
//       runs the rule tests kept beside the rules (PATH/tests/<RULE>.hit[.x].eml must hit RULE,
//       PATH/tests/<RULE>.miss[.x].eml must not; see rules/README.md); every rule defined in
//       PATH other than `__` sub-rules needs at least one of each. Exit status 1 on any failure.
#pragma once

namespace CLI {
class App;
}

namespace portcullis::cli {

void addRulesCommand(CLI::App& app, int& exit_status);

}  // namespace portcullis::cli
