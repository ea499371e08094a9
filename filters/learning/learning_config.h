// `[checks.classifier]` as the gateway builds it. The classifier's store is opened once per
// configuration (openConfiguredStore) and shared: the content check classifies with it (its
// check_bayes rules and autolearn, through content::SiteServices), and the check this factory
// builds learns users' reports with it (learning_check.h; built only when report_addresses are
// set). A store that does not open is logged and stood in for by one that fails every operation
// with the reason, so the gateway starts and mail flows without the classifier.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include "filters/classifier/classifier.h"
#include "filters/classifier/classifier_config.h"
#include "gateway/config/document.h"
#include "gateway/core/check_factory.h"

namespace portcullis::learning {

struct ConfiguredStore {
  classifier::ClassifierConfig config;
  std::shared_ptr<classifier::TokenStore> store;
};

// The store of `doc`'s [checks.classifier], or nullopt when it has none. Throws
// config::ConfigError for bad options. `create` false (offline tools: `scan`, `config check`)
// never creates an embedded store that does not exist yet.
std::optional<ConfiguredStore> openConfiguredStore(const config::Document& doc,
                                                   const std::filesystem::path& spool_directory,
                                                   bool create);

// A classifier over `store` whose work counts in `events` as taught by `source`.
std::shared_ptr<const classifier::Classifier> observedClassifier(
    std::shared_ptr<classifier::TokenStore> store, const classifier::ClassifierConfig& config,
    const FilterEvents& events, LearnSource source);

// The factory named "classifier"; `store` is the one openConfiguredStore() opened.
CheckFactory classifierCheckFactory(std::shared_ptr<classifier::TokenStore> store);

}  // namespace portcullis::learning
