// The messages an operator points `portcullis learn` at: message files, directories of them
// (walked recursively, in name order) and mbox files (split on "From " lines that follow an empty
// line or start the file). A file without such separators is one message; a file that starts
// with one "From " line (the corpus's format) is one message as well. Messages are read one at a
// time, so an mbox of any size needs memory for one message only; a message larger than
// `max_message_size`, and text that does not start with a header field (not mail: a JSON or
// image file in the directory), are skipped with that reason.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace portcullis::cli {

// The regular files under `paths` (files as given, directories recursively, sorted); paths that
// do not exist or cannot be listed are added to `errors`.
std::vector<std::filesystem::path> mailFiles(const std::vector<std::string>& paths,
                                             std::vector<std::string>& errors);

struct MailItem {
  std::string where;  // the file, or "FILE:LINE" for a message of an mbox holding several
  std::string raw;    // the message, separator line left out; empty when `error` is set
  std::string error;
};

// Calls `visit` for each message of `file` in order.
void forEachMessage(const std::filesystem::path& file, std::uint64_t max_message_size,
                    const std::function<void(MailItem&&)>& visit);

}  // namespace portcullis::cli
