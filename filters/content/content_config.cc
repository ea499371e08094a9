#include "filters/content/content_config.h"

#include <optional>

#include <spdlog/spdlog.h>

#include "filters/content/content_check.h"
#include "filters/content/rule_places.h"
#include "gateway/config/section.h"
#include "gateway/core/network_list.h"

namespace portcullis::content {
namespace {

// Tells the gateway's metrics how building the check's rules went (`engine` null: they failed).
void reportLoad(const FilterEvents& events, const RuleEngine* engine) {
  if (!events.loaded) return;
  if (!engine) {
    events.loaded({LoadedData::Rules, false, false});
    return;
  }
  LoadEvent event{LoadedData::Rules, true, true, engine->current()->summary().rules_loaded};
  event.interim = !engine->onHyperscan();
  events.loaded(event);
}

// `spamassassin_rules`: "none" (the default, so that configurations written before the option
// keep their rule set), "auto" (SpamAssassin's stock rules where SpamAssassin finds them, when
// installed) or a directory. They load before `rules`, whose files can then override them.
std::optional<std::filesystem::path> stockRulesOf(config::Section& section,
                                                  const std::filesystem::path& base) {
  const std::string setting = section.getString("spamassassin_rules", "none");
  if (setting == "none") return std::nullopt;
  if (setting == "auto") {
    auto found = findStockRules();
    if (found) {
      spdlog::info("content rules: SpamAssassin's stock rules from {}", found->string());
    } else {
      spdlog::info(
          "content rules: SpamAssassin's stock rules are not installed "
          "(apt install spamassassin); the shipped rules only");
    }
    return found;
  }
  std::filesystem::path dir(setting);
  if (dir.is_relative()) dir = base / dir;
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error))
    section.fail("spamassassin_rules",
                 "\"" + setting + "\" is neither \"auto\", \"none\" nor a directory");
  return dir;
}

// A list of networks ("192.0.2.0/24", "2001:db8::/32", "192.0.2.7"); a malformed entry is a
// configuration error at its line.
std::vector<std::string> readNetworks(config::Section& section, const std::string& key) {
  std::vector<std::string> networks = section.getStrings(key, {});
  for (const auto& network : networks) {
    NetworkList probe;
    if (Status added = probe.add(network); !added)
      section.fail(key, "\"" + network + "\": " + added.error);
  }
  return networks;
}

// Logs, once the rules are built, what was left out and how the compile went.
void logCompileSummary(const CompileSummary& summary, CheckUse use) {
  for (const auto& d : summary.disabled) {
    spdlog::warn("{}:{}: rule {} disabled: {}", d.where.file, d.where.line, d.name, d.reason);
  }
  for (const auto& d : summary.settings) spdlog::warn("{}", formatDiagnostic(d));
  spdlog::info(
      "content rules: {} read, {} loaded, {} disabled; {} of {} databases from cache, {} "
      "with a plain-text database; {:.2f} s",
      summary.rules_total, summary.rules_loaded, summary.disabled.size(), summary.groups_from_cache,
      summary.groups, summary.plain_text_groups, summary.seconds);
  if (summary.groups_without_hyperscan > 0 && use == CheckUse::Serving) {
    spdlog::warn(
        "content rules: cold start, {} of {} groups run on PCRE2/RE2 (same verdicts, "
        "slower) until Hyperscan's databases are compiled in the background",
        summary.groups_without_hyperscan, summary.groups);
  }
}

// Logs and counts the end of a background Hyperscan compile.
std::function<void(const LoadResult&)> warmLogger(FilterEvents events) {
  return [events = std::move(events)](const LoadResult& warm) {
    if (!warm.rules) {
      spdlog::error(
          "content rules: Hyperscan compile failed, the confirming engines "
          "keep serving: {}",
          warm.error);
      // Counted as a failed rules load; the rules loaded before stay available.
      if (events.loaded) events.loaded({LoadedData::Rules, false, true});
      return;
    }
    spdlog::info("content rules: Hyperscan's databases compiled in {:.1f} s and serving",
                 warm.rules->summary().seconds);
    if (events.loaded)
      events.loaded({LoadedData::Rules, true, true, warm.rules->summary().rules_loaded});
  };
}

}  // namespace

EngineConfig readContentConfig(config::Section& section, const SiteServices& services,
                               const CheckDeps& deps) {
  EngineConfig config;
  const std::filesystem::path base = std::filesystem::path(section.file()).parent_path();
  if (auto stock = stockRulesOf(section, base)) config.rule_paths.push_back(*stock);
  for (const auto& p : section.getStrings("rules", {shippedRulesDir().string()})) {
    std::filesystem::path path(p);
    config.rule_paths.push_back(path.is_relative() ? base / path : path);
  }
  config.compile.services = services;
  config.compile.score_set =
      static_cast<int>(section.getInt("score_set", scoreSetFor(services), 0, 3));
  config.compile.trusted_networks = readNetworks(section, "trusted_networks");
  config.compile.internal_networks = readNetworks(section, "internal_networks");
  config.compile.msa_networks = readNetworks(section, "msa_networks");
  const std::string cache = section.getString(
      "cache_dir", deps.state_dir.empty() ? "" : (deps.state_dir / "content-cache").string());
  config.compile.cache_dir = cache;
  config.compile.max_scan_bytes =
      section.getSize("max_scan_bytes", 2 << 20, 4096, uint64_t{1} << 30);
  config.compile.pcre.match_limit =
      static_cast<uint32_t>(section.getInt("pcre_match_limit", 100000, 1000, 100000000));
  config.compile.pcre.depth_limit =
      static_cast<uint32_t>(section.getInt("pcre_depth_limit", 10000, 100, 10000000));
  config.parse.language = section.getString("language", "en");
  // The gateway serves at once on a cold start and `config check` never compiles Hyperscan's
  // databases (a systemd ExecStartPre must not take minutes); offline tools wait for them.
  config.compile_in_background = deps.use == CheckUse::Serving;
  config.compile.hyperscan_from_cache_only = deps.use == CheckUse::Validation;
  return config;
}

CheckFactory contentCheckFactory(SiteServices services) {
  return {"content", [services](config::Section& section, const CheckDeps& deps) {
            EngineConfig config = readContentConfig(section, services, deps);
            std::shared_ptr<RuleEngine> engine;
            try {
              engine = RuleEngine::create(std::move(config), warmLogger(deps.events));
            } catch (const std::runtime_error& e) {
              reportLoad(deps.events, nullptr);
              section.fail("rules", e.what());
            }
            reportLoad(deps.events, engine.get());
            logCompileSummary(engine->current()->summary(), deps.use);
            // Offline tools (no resolver: `scan`, `rules`) classify but never learn by themselves.
            std::shared_ptr<BackgroundLearner> learner;
            if (services.classifier && services.autolearn.enabled && deps.resolver) {
              learner = std::make_shared<BackgroundLearner>(
                  services.classifier, services.autolearn.queue, deps.events.autolearn_dropped);
            }
            return std::vector<std::shared_ptr<const Check>>{std::make_shared<ContentCheck>(
                std::move(engine), deps.workers, std::move(learner), services.autolearn)};
          }};
}

}  // namespace portcullis::content
