#include "filters/content/content_check.h"

#include <unistd.h>

#include <optional>
#include <set>

#include <spdlog/spdlog.h>

#include "filters/content/autolearn.h"
#include "filters/content/eval/classifier_facts.h"
#include "filters/content/message_view.h"
#include "filters/content/rule_places.h"
#include "gateway/config/section.h"
#include "gateway/core/network_list.h"
#include "gateway/core/offload.h"
#include "gateway/mime/message.h"

namespace portcullis::content {
namespace {

std::string hostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

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

}  // namespace

ContentCheck::ContentCheck(std::shared_ptr<RuleEngine> engine, asio::thread_pool& workers,
                           std::shared_ptr<BackgroundLearner> learner,
                           classifier::AutolearnSettings autolearn)
    : engine_(std::move(engine)),
      workers_(workers),
      learner_(std::move(learner)),
      autolearn_(autolearn),
      local_host_(hostName()) {}

std::vector<Symbol> symbolsOf(const CompiledRules& rules, const ScanResult& result) {
  std::vector<Symbol> symbols;
  for (const auto& hit : result.hits) {
    const auto& cr = rules.rules()[hit.rule];
    if (!cr.reported) continue;
    std::string detail = cr.rule.description;
    if (hit.count > 1) detail += " (" + std::to_string(hit.count) + " hits)";
    symbols.push_back({cr.rule.name, cr.score * hit.count, std::move(detail)});
  }
  return symbols;
}

namespace {

// The MIME parser's limits ([mime]) that cut this message short, as zero-score symbols that meta
// rules can build on; the message was still scanned as far as the limit.
std::vector<Symbol> limitSymbols(const mime::Message& message) {
  struct Limit {
    mime::Anomaly anomaly;
    const char* symbol;
    const char* detail;
  };
  static const Limit kLimits[] = {
      {mime::Anomaly::DepthLimit, "MIME_DEPTH_LIMIT", "MIME nesting deeper than mime.max_depth"},
      {mime::Anomaly::PartLimit, "MIME_PART_LIMIT", "more MIME parts than mime.max_parts"},
      {mime::Anomaly::DecodedLimit, "MIME_DECODED_LIMIT",
       "decoded content larger than mime.max_decoded_bytes"},
      {mime::Anomaly::HeaderLimit, "MIME_HEADER_LIMIT",
       "more header fields than mime.max_header_fields"},
      {mime::Anomaly::TextLimit, "MIME_TEXT_LIMIT", "body text longer than mime.max_text_bytes"},
      {mime::Anomaly::UriLimit, "MIME_URI_LIMIT", "more URIs or addresses than mime.max_uris"},
  };
  std::vector<Symbol> symbols;
  for (const auto& limit : kLimits) {
    if (message.has(limit.anomaly)) {
      symbols.push_back({limit.symbol, 0, std::string(limit.detail) + "; scanned up to it"});
    }
  }
  return symbols;
}

}  // namespace

// SpamAssassin's required_score: the verdict autolearn must agree with.
constexpr double kRequiredScore = 5.0;

void ContentCheck::autolearn(const CompiledRules& rules, const ScanResult& result,
                             const ContentView& view, const ClassifierRun& run,
                             double score) const {
  const AutolearnPoints points = autolearnPoints(rules, result);
  const auto cls = autolearnClass(points, autolearn_, score >= kRequiredScore);
  if (!cls) return;
  // Nothing is learnt while the store fails; a classification tells, if no rule asked yet.
  if (!run.get().available) return;
  learner_->submit(OwnedClassifierInput::copyOf(classifierInputOf(view)), *cls);
}

std::vector<Symbol> ContentCheck::scanTransaction(const CompiledRules& rules, const Transaction& tx,
                                                  const std::set<std::string>& present,
                                                  const AuthResults& auth,
                                                  std::optional<double> learnable_score) const {
  ContentView view = viewOfMessage(*tx.parsed);
  addTransactionFacts(view, tx, local_host_);
  view.auth = &auth;
  const auto& classifier = rules.options().services.classifier;
  std::optional<ClassifierRun> run;
  if (classifier) {
    run.emplace(*classifier, view);
    view.classifier_run = &*run;
  }
  const ScanResult result = rules.scan(
      view, [&present](const std::string& name) { return present.count(name) > 0; }, false,
      ScanDepth::Verdict);
  std::vector<Symbol> symbols = symbolsOf(rules, result);
  // A rule named like a symbol another check already reported (SpamAssassin's SPF_PASS,
  // DKIM_VALID, ... answered from our SPF and DKIM checks) does not count twice: the check's own
  // symbol and score stand.
  std::erase_if(symbols, [&present](const Symbol& s) { return present.count(s.name) > 0; });
  if (result.truncated) {
    symbols.push_back({"CONTENT_SCAN_TRUNCATED", 0,
                       "a text longer than checks.content.max_scan_bytes; scanned up to it"});
  }
  if (run && learner_ && learnable_score) {
    double score = *learnable_score;
    for (const auto& symbol : symbols) score += symbol.score;
    autolearn(rules, result, view, *run, score);
  }
  if (run && run->ran() && !run->get().available) {
    symbols.push_back({"BAYES_UNAVAILABLE", 0,
                       "the classifier's store failed, no BAYES_* rule ran: " + run->get().error});
  }
  return symbols;
}

awaitable<void> ContentCheck::run(const Transaction& tx, Report& report) const {
  // Held for the whole scan: a reload may swap the engine's rules meanwhile.
  const std::shared_ptr<const CompiledRules> rules = engine_->current();
  if (!rules || !tx.parsed) co_return;
  for (auto& symbol : limitSymbols(*tx.parsed)) report.addSymbol(std::move(symbol));
  std::set<std::string> present;
  for (const auto& symbol : report.symbols()) present.insert(symbol.name);
  const AuthResults auth = report.auth();
  std::optional<double> learnable_score;
  if (!report.forced()) learnable_score = report.score();
  const CompiledRules* compiled = rules.get();
  // Named and moved in (see offload.h); captures only pointers and references.
  auto work = [this, compiled, &tx, &present, &auth, learnable_score] {
    return scanTransaction(*compiled, tx, present, auth, learnable_score);
  };
  std::vector<Symbol> symbols = co_await offload(workers_, std::move(work));
  for (auto& symbol : symbols) report.addSymbol(std::move(symbol));
}

namespace {

// A list of networks ("192.0.2.0/24", "2001:db8::/32", "192.0.2.7"); a malformed entry is a
// configuration error at its line.
std::vector<std::string> readNetworks(config::Section& section, const std::string& key) {
  std::vector<std::string> networks = section.getStrings(key, {});
  for (const auto& network : networks) {
    NetworkList probe;
    if (auto error = probe.add(network)) section.fail(key, "\"" + network + "\": " + *error);
  }
  return networks;
}

}  // namespace

CheckFactory contentCheckFactory(SiteServices services) {
  return {
      "content", [services](config::Section& section, const CheckDeps& deps) {
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
        const auto on_warm = [events = deps.events](const LoadResult& warm) {
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
        std::shared_ptr<RuleEngine> engine;
        try {
          engine = RuleEngine::create(std::move(config), on_warm);
        } catch (const std::runtime_error& e) {
          reportLoad(deps.events, nullptr);
          section.fail("rules", e.what());
        }
        reportLoad(deps.events, engine.get());
        const CompileSummary& summary = engine->current()->summary();
        for (const auto& d : summary.disabled) {
          spdlog::warn("{}:{}: rule {} disabled: {}", d.where.file, d.where.line, d.name, d.reason);
        }
        for (const auto& d : summary.settings) spdlog::warn("{}", formatDiagnostic(d));
        spdlog::info(
            "content rules: {} read, {} loaded, {} disabled; {} of {} databases from cache, {} "
            "with a plain-text database; {:.2f} s",
            summary.rules_total, summary.rules_loaded, summary.disabled.size(),
            summary.groups_from_cache, summary.groups, summary.plain_text_groups, summary.seconds);
        if (summary.groups_without_hyperscan > 0 && deps.use == CheckUse::Serving) {
          spdlog::warn(
              "content rules: cold start, {} of {} groups run on PCRE2/RE2 (same verdicts, "
              "slower) until Hyperscan's databases are compiled in the background",
              summary.groups_without_hyperscan, summary.groups);
        }
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
