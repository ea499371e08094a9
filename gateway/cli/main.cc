// portcullis: the mail filtering gateway's single binary. Subcommands: serve, config check,
// queue, scan, rules. Errors are one clear line on stderr and a non-zero exit status.
#include <CLI/CLI.hpp>

#include <iostream>

#include "gateway/cli/check_catalog.h"
#include "gateway/cli/runtime.h"
#include "gateway/config/gateway_config.h"

namespace {

constexpr const char* kDefaultConfig = "/etc/portcullis/portcullis.toml";

int configCheck(const std::string& path) {
  auto config = portcullis::config::loadGatewayConfigFile(path);
  asio::thread_pool workers(1);
  portcullis::cli::RuntimeServices services{workers};
  portcullis::cli::buildSessionContext(config, services);
  workers.join();
  std::cout << path << ": ok\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Portcullis mail filtering gateway"};
  app.set_version_flag("--version", PORTCULLIS_VERSION);
  app.require_subcommand(1);

  std::string config_path = kDefaultConfig;
  auto* serve = app.add_subcommand("serve", "Run the gateway");
  serve->add_option("-c,--config", config_path, "Configuration file")->capture_default_str();

  auto* config = app.add_subcommand("config", "Work with the configuration");
  config->require_subcommand(1);
  std::string check_path = kDefaultConfig;
  auto* check = config->add_subcommand("check", "Validate a configuration file without serving");
  check->add_option("file", check_path, "Configuration file")->capture_default_str();

  CLI11_PARSE(app, argc, argv);
  try {
    if (serve->parsed()) return portcullis::cli::serve(config_path);
    if (check->parsed()) return configCheck(check_path);
  } catch (const std::exception& e) {
    std::cerr << "portcullis: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
