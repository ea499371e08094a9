// `portcullis rules update [-c FILE] [-- SA-UPDATE-ARGUMENTS...]`: runs SpamAssassin's sa-update
// (found on PATH; the arguments after `--` are passed to it, e.g. `--install FILE --nogpg` for an
// offline update) and, when it installed new rules, asks the running daemon of that configuration
// to reload them (as `rules reload`). Exit status 0 when the rules are current (updated and
// reloaded, or nothing new), 1 with the reason otherwise: sa-update missing or failing (its own
// exit status named), or no daemon to ask after an update.
#pragma once

namespace CLI {
class App;
}

namespace portcullis::cli {

// Adds `update` to the `rules` command.
void addRulesUpdateCommand(CLI::App& rules, int& exit_status);

}  // namespace portcullis::cli
