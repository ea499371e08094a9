#include "gateway/cli/rules_reload_command.h"

#include <signal.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>

#include "gateway/cli/pid_file.h"
#include "gateway/config/gateway_config.h"

namespace portcullis::cli {

int requestRulesReload(const std::string& command, const std::string& config_path) {
  const config::GatewayConfig config = config::loadGatewayConfigFile(config_path);
  if (config.server.pid_file.empty()) {
    std::cerr << "portcullis " << command << ": " << config_path
              << " sets no server.pid_file; reload with `systemctl reload portcullis` "
                 "(or SIGHUP to the daemon)\n";
    return 1;
  }
  const pid_t pid = runningDaemon(config.server.pid_file);
  if (kill(pid, SIGHUP) != 0) {
    std::cerr << "portcullis " << command << ": cannot signal pid " << pid << ": "
              << std::strerror(errno) << "\n";
    return 1;
  }
  std::cout << "reload requested from portcullis (pid " << pid
            << "): the rules compile in the background and replace the running ones when "
               "ready; a failure keeps the running rules and is logged\n";
  return 0;
}

void addRulesReloadCommand(CLI::App& rules, int& exit_status) {
  auto config_path = std::make_shared<std::string>(config::kDefaultConfigPath);
  CLI::App* reload = rules.add_subcommand("reload", "Make the running gateway reload its rules");
  reload->add_option("-c,--config", *config_path, "Configuration of the running gateway")
      ->capture_default_str();
  reload->callback([config_path, &exit_status] {
    exit_status = requestRulesReload("rules reload", *config_path);
  });
}

}  // namespace portcullis::cli
