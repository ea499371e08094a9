// portcullis: the mail filtering gateway's single binary. Subcommands: serve, config check,
// learn, queue, quarantine, rules, scan, web. Errors are one clear line on stderr and a non-zero
// exit status.
#include <CLI/CLI.hpp>

#include <iostream>

#include "gateway/cli/digest_command.h"
#include "gateway/cli/learn_command.h"
#include "gateway/cli/quarantine_command.h"
#include "gateway/cli/queue_command.h"
#include "gateway/cli/rules_command.h"
#include "gateway/cli/rules_reload_command.h"
#include "gateway/cli/rules_update_command.h"
#include "gateway/cli/runtime.h"
#include "gateway/cli/scan_command.h"
#include "gateway/config/gateway_config.h"
#include "gateway/web/web_command.h"

namespace {

int configCheck(const std::string& path) {
  auto config = portcullis::config::loadGatewayConfigFile(path);
  asio::thread_pool workers(1);
  portcullis::cli::RuntimeServices services{workers, nullptr};
  services.use = portcullis::CheckUse::Validation;
  portcullis::cli::validateServices(config);
  portcullis::cli::buildSessionContext(config, services);
  workers.join();
  std::cout << path << ": ok" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Portcullis mail filtering gateway"};
  app.set_version_flag("--version", PORTCULLIS_VERSION);
  app.require_subcommand(1);
  int exit_status = 0;

  std::string config_path = portcullis::config::kDefaultConfigPath;
  auto* serve = app.add_subcommand("serve", "Run the gateway");
  serve->add_option("-c,--config", config_path, "Configuration file")->capture_default_str();
  serve->callback([&] { exit_status = portcullis::cli::serve(config_path); });

  auto* config = app.add_subcommand("config", "Work with the configuration");
  config->require_subcommand(1);
  std::string check_path = portcullis::config::kDefaultConfigPath;
  auto* check = config->add_subcommand("check", "Validate a configuration file without serving");
  check->add_option("file", check_path, "Configuration file")->capture_default_str();
  check->callback([&] { exit_status = configCheck(check_path); });

  portcullis::cli::addLearnCommand(app, exit_status);
  portcullis::cli::addQueueCommand(app, exit_status);
  portcullis::cli::addQuarantineCommand(app, exit_status);
  portcullis::cli::addQuarantineDigestCommand(*app.get_subcommand("quarantine"), exit_status);
  portcullis::cli::addRulesCommand(app, exit_status);
  portcullis::cli::addRulesReloadCommand(*app.get_subcommand("rules"), exit_status);
  portcullis::cli::addRulesUpdateCommand(*app.get_subcommand("rules"), exit_status);
  portcullis::cli::addScanCommand(app, exit_status);
  portcullis::web::addWebCommand(app, exit_status);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "portcullis: " << e.what() << std::endl;
    return 1;
  }
  return exit_status;
}
