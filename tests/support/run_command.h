// Runs a command to completion and captures its combined stdout and stderr; the command is killed
// when it outlives the timeout. Optional bytes are written to its stdin.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace portcullis::test {

struct CommandResult {
  int exit_code = -1;  // 128+N when killed by signal N
  bool timed_out = false;
  std::string output;
};

CommandResult runCommand(const std::vector<std::string>& argv, const std::string& input = "",
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace portcullis::test
