#include "gateway/cli/rules_update_command.h"

#include <spawn.h>
#include <sys/wait.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "gateway/base/result.h"
#include "gateway/cli/rules_reload_command.h"
#include "gateway/config/gateway_config.h"

extern char** environ;

namespace portcullis::cli {
namespace {

// sa-update's exit statuses (sa-update(1)).
constexpr int kSaUpdateInstalled = 0;
constexpr int kSaUpdateNothingNew = 1;

// Runs `arguments` (the program first, looked up on PATH) with our standard streams: its exit
// status, or why it could not run or did not exit normally.
Result<int> runProgram(const std::vector<std::string>& arguments) {
  std::vector<char*> argv;
  for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (const int spawned = posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
      spawned != 0) {
    return Result<int>::failure(spawned == ENOENT ? "not found on PATH" : std::strerror(spawned));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return Result<int>::failure(std::string("waiting for it failed: ") + std::strerror(errno));
    }
  }
  if (WIFSIGNALED(status)) {
    return Result<int>::failure(std::string("killed by signal ") + strsignal(WTERMSIG(status)));
  }
  return Result<int>::success(WEXITSTATUS(status));
}

}  // namespace

void addRulesUpdateCommand(CLI::App& rules, int& exit_status) {
  auto config_path = std::make_shared<std::string>(config::kDefaultConfigPath);
  auto sa_update_arguments = std::make_shared<std::vector<std::string>>();
  CLI::App* update = rules.add_subcommand(
      "update", "Run sa-update, then make the running gateway reload the new rules");
  update->add_option("-c,--config", *config_path, "Configuration of the running gateway")
      ->capture_default_str();
  update->add_option("sa-update-arguments", *sa_update_arguments,
                     "Passed to sa-update (after --), e.g. -- --install FILE --nogpg");
  update->callback([config_path, sa_update_arguments, &exit_status] {
    std::vector<std::string> command{"sa-update"};
    command.insert(command.end(), sa_update_arguments->begin(), sa_update_arguments->end());
    const Result<int> ran = runProgram(command);
    if (!ran) {
      std::cerr << "portcullis rules update: sa-update " << ran.error
                << (ran.error == "not found on PATH" ? " (Debian: apt install spamassassin)" : "")
                << "\n";
      exit_status = 1;
      return;
    }
    const int status = *ran;
    if (status == kSaUpdateNothingNew) {
      std::cout << "sa-update: no newer rules; nothing to reload\n";
      exit_status = 0;
      return;
    }
    if (status != kSaUpdateInstalled) {
      std::cerr << "portcullis rules update: sa-update failed with exit status " << status
                << "; the running rules are unchanged\n";
      exit_status = 1;
      return;
    }
    std::cout << "sa-update installed newer rules\n";
    exit_status = requestRulesReload("rules update", *config_path);
  });
}

}  // namespace portcullis::cli
