// The command-line tools are often run as root (`sudo portcullis learn ...`), while the gateway
// runs as its own user: files they create in the queue directory (the classifier's database with
// its WAL and shared-memory files, the learn ledger) would then belong to root and the gateway
// could no longer write them. Run as root, the tools hand such files to the owner of the queue
// directory; run as anyone else, nothing changes.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace portcullis::cli {

// Gives each of `files` that exists to the owner (user and group) of `queue_directory`, when the
// process runs as root. Returns what could not be changed, one line each.
std::vector<std::string> handToQueueOwner(const std::filesystem::path& queue_directory,
                                          const std::vector<std::filesystem::path>& files);

}  // namespace portcullis::cli
