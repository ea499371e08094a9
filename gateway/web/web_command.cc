#include "gateway/web/web_command.h"

#include <iostream>
#include <string>

#include "gateway/config/gateway_config.h"
#include "gateway/web/password.h"
#include "gateway/web/signed_link.h"
#include "gateway/web/web_config.h"

namespace portcullis::web {

namespace {}  // namespace

void addWebCommand(CLI::App& app, int& exit_status) {
  auto* cmd = app.add_subcommand("web", "Helpers for the web console");
  cmd->require_subcommand(1);

  auto* hash = cmd->add_subcommand("hash-password",
                                   "Read a password from stdin and print its hash for [web.users]");
  hash->callback([&exit_status] {
    std::string password;
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    if (password.empty()) throw std::runtime_error("no password on stdin");
    auto hashed = hashPassword(password);
    if (!hashed) throw std::runtime_error(hashed.error);
    std::cout << *hashed << "\n";
    exit_status = 0;
  });

  auto config = std::make_shared<std::string>(config::kDefaultConfigPath);
  auto recipient = std::make_shared<std::string>();
  auto* link = cmd->add_subcommand("link", "Print a recipient's signed link to their quarantine");
  link->add_option("recipient", *recipient, "The recipient's address")->required();
  link->add_option("-c,--config", *config, "Configuration file")->capture_default_str();
  link->callback([config, recipient, &exit_status] {
    auto gateway = config::loadGatewayConfigFile(*config);
    auto web = loadWebConfig(gateway);
    if (!web) throw std::runtime_error(*config + " has no [web] section");
    auto key = loadOrCreateLinkKey(web->link_key_file);
    if (!key) throw std::runtime_error(key.error);
    RecipientLinks links(std::move(*key));
    std::cout << links.url(consoleBaseUrl(*web), *recipient,
                           spool::Clock::now() + web->link_lifetime)
              << "\n";
    exit_status = 0;
  });
}

}  // namespace portcullis::web
