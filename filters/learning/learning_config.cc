#include "filters/learning/learning_config.h"

#include <spdlog/spdlog.h>

#include "filters/classifier/classifier_config.h"
#include "filters/classifier/observed_store.h"
#include "filters/classifier/unavailable_store.h"
#include "filters/learning/learning_check.h"
#include "gateway/config/section.h"

namespace portcullis::learning {

std::optional<ConfiguredStore> openConfiguredStore(const config::Document& doc,
                                                   const std::filesystem::path& spool_directory,
                                                   bool create) {
  auto config = classifier::configuredClassifier(doc);
  if (!config) return std::nullopt;
  const char* backend = config->backend == classifier::Backend::Redis ? "redis" : "sqlite";
  std::error_code ec;
  const auto database = classifier::databasePath(*config, spool_directory);
  if (!create && config->backend == classifier::Backend::Sqlite &&
      !std::filesystem::exists(database, ec)) {
    return ConfiguredStore{*config, std::make_shared<classifier::UnavailableStore>(
                                        backend, "no classifier database at " + database.string() +
                                                     " (nothing learnt yet)")};
  }
  auto opened = classifier::openStore(*config, spool_directory);
  if (opened) return ConfiguredStore{*config, std::move(*opened)};
  spdlog::error("classifier: cannot open the {} store, classifying without it: {}", backend,
                opened.error);
  return ConfiguredStore{*config,
                         std::make_shared<classifier::UnavailableStore>(backend, opened.error)};
}

std::shared_ptr<const classifier::Classifier> observedClassifier(
    std::shared_ptr<classifier::TokenStore> store, const classifier::ClassifierConfig& config,
    const FilterEvents& events, LearnSource source) {
  return std::make_shared<const classifier::Classifier>(
      std::make_shared<classifier::ObservedStore>(std::move(store), events, source),
      config.classify);
}

CheckFactory classifierCheckFactory(std::shared_ptr<classifier::TokenStore> store) {
  return {"classifier",
          [store](config::Section& section,
                  const CheckDeps& deps) -> std::vector<std::shared_ptr<const Check>> {
            const classifier::ClassifierConfig config = classifier::readClassifierConfig(section);
            if (config.spam_report_address.empty() && config.ham_report_address.empty()) return {};
            if (!store) section.fail("report_addresses", "no classifier store to learn reports in");
            if (config.report_networks.empty()) {
              spdlog::warn(
                  "{}:{}: report_addresses without report_networks: only authenticated clients "
                  "can report",
                  section.file(), section.line());
            }
            return {std::make_shared<ReportCheck>(
                config, observedClassifier(store, config, deps.events, LearnSource::Report),
                deps.workers)};
          }};
}

}  // namespace portcullis::learning
