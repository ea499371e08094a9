// `portcullis rules reload [-c FILE]`: asks the running daemon of that configuration to reload
// (SIGHUP to the pid in [server] pid_file). The daemon compiles the rules in the background and
// swaps them in when ready; a failed compile keeps the running rules and is logged and counted
// (portcullis_reload_failures_total). Exit status 1 when there is no daemon to ask.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace portcullis::cli {

// SIGHUP to the daemon of `config_path`; 0, or 1 with the reason on stderr (naming `command`).
// Config errors are thrown as config::ConfigError.
int requestRulesReload(const std::string& command, const std::string& config_path);

// Adds `reload` to the `rules` command.
void addRulesReloadCommand(CLI::App& rules, int& exit_status);

}  // namespace portcullis::cli
