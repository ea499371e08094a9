// A child process for integration tests: started in its own process group with stdout and stderr
// appended to a log file, and killed (the whole group, SIGKILL) when the object goes away, so a
// failing test never leaves servers behind. The child also dies with the test process
// (PR_SET_PDEATHSIG).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace portcullis::test {

class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ~ChildProcess();

  // Starts argv[0] (searched on PATH) with its output appended to `log_file`. Throws on failure.
  static ChildProcess start(const std::vector<std::string>& argv,
                            const std::filesystem::path& log_file);

  pid_t pid() const { return pid_; }
  bool running();
  void signal(int signo);
  // Waits for the exit; returns the exit status (128+N for a signal) or nothing on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL to the group after `grace`; returns the exit status.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  // SIGKILL to the whole group and reap.
  void kill();

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
  std::optional<int> status_;
};

}  // namespace portcullis::test
