#include "gateway/web/web_console.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "filters/classifier/classifier_config.h"
#include "gateway/web/ham_learning.h"
#include "gateway/web/rule_explainer.h"
#include "gateway/web/secrets.h"
#include "gateway/web/signed_link.h"

namespace portcullis::web {

std::unique_ptr<WebServer> startWebConsole(
    const config::GatewayConfig& config, std::shared_ptr<quarantine::Quarantine> store,
    spool::Spool* queue, std::function<void(const std::string& id)> enqueue,
    std::shared_ptr<asio::ssl::context> tls, std::shared_ptr<quarantine::VerdictHistory> verdicts,
    std::function<std::shared_ptr<const Pipeline>()> pipeline) {
  auto web = loadWebConfig(config);
  if (!web) return nullptr;
  initializeSodium();
  auto key = loadOrCreateLinkKey(web->link_key_file);
  if (!key) throw std::runtime_error("web: " + key.error);
  if (web->users.empty()) spdlog::warn("web: [web.users] names no administrator");
  ConsoleServices services;
  services.quarantine = store;
  services.verdicts = std::move(verdicts);
  if (queue) {
    services.release = [store, queue, enqueue](const std::string& id) {
      auto queued = store->release(id, *queue);
      if (queued && enqueue) enqueue(*queued);
      return queued;
    };
  }
  if (auto classifier = classifier::configuredClassifier(config.document)) {
    services.learn_ham = [settings = *classifier,
                          queue_dir = config.queue.directory](const std::string& message) {
      return learnAsHam(settings, queue_dir, message);
    };
  }
  services.explain = contentRuleExplainer(std::move(pipeline));
  auto console = std::make_shared<Console>(*web, std::move(*key), std::move(services));
  auto server = std::make_unique<WebServer>(console, *web, web->https ? tls : nullptr);
  spdlog::info("web console on {}://{}:{}/", web->https ? "https" : "http",
               web->host.find(':') == std::string::npos ? web->host : "[" + web->host + "]",
               server->port());
  return server;
}

void reloadWebConsole(WebServer* server, const std::optional<WebConfig>& fresh) {
  if (!server || !fresh) {
    if (server || fresh) {
      spdlog::warn("web: [web] {} takes effect at the next start", fresh ? "added" : "removed");
    }
    return;
  }
  for (const auto& setting : server->reload(*fresh)) {
    spdlog::warn("web: a changed {} takes effect at the next start", setting);
  }
}

}  // namespace portcullis::web
