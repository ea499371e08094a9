// The list of every check the binary knows, by the NAME of its [checks.NAME] table, and the
// function that builds the configured ones. A [checks.X] table naming no known check is a
// configuration error, so a typo never silently disables a check.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "filters/content/eval/site_services.h"
#include "gateway/config/document.h"
#include "gateway/core/check_factory.h"

namespace portcullis::cli {

const std::vector<CheckFactory>& checkCatalog();

// The DNS lists ([checks.dnsbl]) `doc` configures, as the content rules' network evals see them
// (filters/content/eval/site_services.h); buildChecks() adds the classifier. Throws
// config::ConfigError like the checks' own factories.
content::SiteServices configuredServices(const config::Document& doc);

// The queue directory of `doc` ([queue] directory), where the embedded classifier store lives.
std::filesystem::path spoolDirectory(const config::Document& doc);

// Builds the checks configured in `doc` ([checks.NAME] tables, in file order), opening the
// classifier store of [checks.classifier] once for all of them (created only when
// deps.resolver is set, i.e. by the gateway, never by offline tools). Throws
// config::ConfigError with file:line for unknown checks and bad options.
std::vector<std::shared_ptr<const Check>> buildChecks(const config::Document& doc,
                                                      const CheckDeps& deps);

}  // namespace portcullis::cli
