// `portcullis web`: the console's helpers on the command line.
//   web hash-password          reads a password from stdin, prints its argon2id hash for
//                              [web.users];
//   web link RECIPIENT [-c F]  prints the recipient's signed link (what the digest sends), made
//                              with the gateway's link key and [web] public_url, link_lifetime.
#pragma once

#include <CLI/CLI.hpp>

namespace portcullis::web {

void addWebCommand(CLI::App& app, int& exit_status);

}  // namespace portcullis::web
