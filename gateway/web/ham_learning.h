// "Release and learn as ham" from the console: the same learning `portcullis quarantine release`
// does (the classifier of [checks.classifier], the message read as the content engine reads it,
// counted in the learn ledger the metrics read), as one function that says what happened.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "filters/classifier/classifier_config.h"

namespace portcullis::web {

// A sentence for the page and the audit log: "learnt as ham", "already learnt as ham", or
// "not learnt as ham: REASON". Never throws; a failure leaves the release standing.
std::string learnAsHam(const classifier::ClassifierConfig& config,
                       const std::filesystem::path& queue_dir, std::string_view message);

}  // namespace portcullis::web
