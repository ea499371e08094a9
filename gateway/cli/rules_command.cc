#include "gateway/cli/rules_command.h"

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "filters/content/message_view.h"
#include "filters/content/rule_engine.h"
#include "gateway/cli/user_cache_dir.h"
#include "gateway/core/text.h"
#include "gateway/mime/message.h"

namespace portcullis::cli {
namespace {

namespace fs = std::filesystem;
using namespace portcullis::content;

struct RulesOptions {
  std::vector<std::string> paths;
  std::string cache_dir;
  int score_set = 0;  // as SpamAssassin picks it with no DNS lists and no classifier
  bool json = false;
  bool warnings = false;
  bool explain = false;
};

EngineConfig engineConfig(const RulesOptions& options) {
  EngineConfig config;
  for (const auto& p : options.paths) config.rule_paths.emplace_back(p);
  config.compile.score_set = options.score_set;
  config.compile.cache_dir = options.cache_dir;
  return config;
}

// The reason without rule-specific detail, for the summary ("unknown eval function check_rbl").
std::string reasonKind(const std::string& reason) {
  const size_t cut = reason.find(" at offset");
  return cut == std::string::npos ? reason : reason.substr(0, cut);
}

// Whether a rule is disabled only because the gateway does not run what it needs (a DNS list, a
// network service, the classifier): it would run where that is configured.
bool needsService(const std::string& reason) {
  return reason.starts_with("needs ");
}

// `askdns NAME QUERY TYPE [SUBTEST]` settings: rules SpamAssassin answers by DNS queries of its
// own.
struct AskDns {
  std::string name;
  SourceLocation where;
};

std::vector<AskDns> askDnsRules(const RuleSet& set) {
  std::vector<AskDns> out;
  for (const auto& setting : set.settings) {
    if (setting.name != "askdns") continue;
    const auto words = split(setting.value, ' ');
    if (!words.empty() && !words.front().empty())
      out.push_back({std::string(words.front()), setting.where});
  }
  return out;
}

constexpr const char* kAskDnsReason =
    "needs DNS queries of its own (askdns), which this gateway does not make";

int runCheck(const RulesOptions& options) {
  RuleSet set = loadRules(std::vector<fs::path>(options.paths.begin(), options.paths.end()));
  size_t errors = 0;
  std::map<std::string, size_t> warning_kinds;
  std::vector<const Diagnostic*> warnings;
  for (const auto& d : set.diagnostics) {
    if (d.severity == Severity::Error) {
      ++errors;
    } else {
      warnings.push_back(&d);
      const std::string& m = d.message;
      warning_kinds[m.substr(0, m.find('\'', m.find('\'') + 1) + 1)]++;
    }
  }
  CompileOptions compile;
  compile.score_set = options.score_set;
  compile.cache_dir = options.cache_dir;
  auto compiled = compileRules(set, compile);
  const CompileSummary& summary = compiled->summary();
  std::map<std::string, size_t> by_reason, not_run;  // not_run: only a service is missing
  for (const auto& d : summary.disabled) {
    (needsService(d.reason) ? not_run : by_reason)[reasonKind(d.reason)]++;
  }
  const std::vector<AskDns> askdns = askDnsRules(set);
  if (!askdns.empty()) not_run[kAskDnsReason] += askdns.size();

  if (options.json) {
    std::ostringstream out;
    out << "{\"rules_total\":" << summary.rules_total
        << ",\"rules_loaded\":" << summary.rules_loaded << ",\"files\":" << set.files.size()
        << ",\"errors\":[";
    bool first = true;
    for (const auto& d : set.diagnostics) {
      if (d.severity != Severity::Error) continue;
      out << (first ? "" : ",") << "{\"file\":" << jsonQuoted(d.where.file)
          << ",\"line\":" << d.where.line << ",\"message\":" << jsonQuoted(d.message) << "}";
      first = false;
    }
    out << "],\"warnings\":" << warnings.size() << ",\"disabled\":[";
    first = true;
    for (const auto& d : summary.disabled) {
      out << (first ? "" : ",") << "{\"name\":" << jsonQuoted(d.name)
          << ",\"file\":" << jsonQuoted(d.where.file) << ",\"line\":" << d.where.line
          << ",\"reason\":" << jsonQuoted(d.reason) << "}";
      first = false;
    }
    out << "],\"askdns\":[";
    first = true;
    for (const auto& a : askdns) {
      out << (first ? "" : ",") << "{\"name\":" << jsonQuoted(a.name)
          << ",\"file\":" << jsonQuoted(a.where.file) << ",\"line\":" << a.where.line
          << ",\"reason\":" << jsonQuoted(kAskDnsReason) << "}";
      first = false;
    }
    out << "],\"disabled_by_reason\":{";
    first = true;
    for (const auto& [reason, n] : by_reason) {
      out << (first ? "" : ",") << jsonQuoted(reason) << ":" << n;
      first = false;
    }
    out << "},\"not_run_by_reason\":{";
    first = true;
    for (const auto& [reason, n] : not_run) {
      out << (first ? "" : ",") << jsonQuoted(reason) << ":" << n;
      first = false;
    }
    out << "},\"engines\":{";
    first = true;
    for (const auto& [engine, n] : summary.by_engine) {
      out << (first ? "" : ",") << jsonQuoted(engine) << ":" << n;
      first = false;
    }
    out << "},\"groups\":" << summary.groups
        << ",\"groups_from_cache\":" << summary.groups_from_cache
        << ",\"compile_seconds\":" << summary.seconds << "}\n";
    std::cout << out.str();
    return errors ? 1 : 0;
  }

  for (const auto& d : set.diagnostics)
    if (d.severity == Severity::Error) std::cout << formatDiagnostic(d) << "\n";
  for (const auto& d : summary.settings) std::cout << formatDiagnostic(d) << "\n";
  if (options.warnings)
    for (const Diagnostic* d : warnings) std::cout << formatDiagnostic(*d) << "\n";
  for (const auto& d : summary.disabled) {
    std::cout << d.where.file << ":" << d.where.line << ": disabled " << d.name << ": " << d.reason
              << "\n";
  }
  for (const auto& a : askdns) {
    std::cout << a.where.file << ":" << a.where.line << ": disabled " << a.name << ": "
              << kAskDnsReason << "\n";
  }
  size_t not_run_total = 0;
  for (const auto& [reason, n] : not_run) not_run_total += n;
  std::cout << "\nfiles read: " << set.files.size() << "\n"
            << "rules read: " << summary.rules_total << "\n"
            << "rules loaded: " << summary.rules_loaded << "\n"
            << "rules disabled: " << summary.disabled.size() << "\n";
  if (!not_run.empty()) {
    std::cout << "  not run here, for want of a DNS list, service or classifier (" << not_run_total
              << (askdns.empty() ? "" : ", askdns rules included") << "):\n";
    for (const auto& [reason, n] : not_run) std::cout << "    " << n << "  " << reason << "\n";
    if (!by_reason.empty()) std::cout << "  cannot run:\n";
  }
  for (const auto& [reason, n] : by_reason)
    std::cout << (not_run.empty() ? "  " : "    ") << n << "  " << reason << "\n";
  std::cout << "engines:";
  for (const auto& [engine, n] : summary.by_engine) std::cout << " " << engine << "=" << n;
  std::cout << "\ntext groups: " << summary.groups << " (" << summary.groups_from_cache
            << " from cache), compile time " << summary.seconds << " s\n"
            << "errors: " << errors << ", warnings: " << warnings.size()
            << (options.warnings || warnings.empty() ? "" : " (--warnings lists them)") << "\n";
  if (!options.warnings) {
    for (const auto& [kind, n] : warning_kinds) std::cout << "  " << n << "  " << kind << "\n";
  }
  return errors ? 1 : 0;
}

struct RuleTest {
  std::string rule;
  bool must_hit = true;
  fs::path file;
};

// tests/<RULE>.hit.eml, tests/<RULE>.miss.eml, or with a label: <RULE>.hit.<label>.eml.
std::vector<RuleTest> findTests(const fs::path& dir) {
  std::vector<RuleTest> tests;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || entry.path().extension() != ".eml") continue;
    const size_t dot = name.find('.');
    const std::string kind = name.substr(dot + 1, name.find('.', dot + 1) - dot - 1);
    if (kind != "hit" && kind != "miss") continue;
    tests.push_back({name.substr(0, dot), kind == "hit", entry.path()});
  }
  std::sort(tests.begin(), tests.end(),
            [](const RuleTest& a, const RuleTest& b) { return a.file < b.file; });
  return tests;
}

int runTests(const RulesOptions& options) {
  size_t passed = 0, failed = 0;
  for (const auto& path : options.paths) {
    RulesOptions one = options;
    one.paths = {path};
    LoadResult loaded = loadAndCompile(engineConfig(one));
    if (!loaded.rules) {
      std::cout << "FAIL " << path << ": " << loaded.error << "\n";
      ++failed;
      continue;
    }
    const CompiledRules& rules = *loaded.rules;
    const fs::path tests_dir =
        fs::is_directory(path) ? fs::path(path) / "tests" : fs::path(path).parent_path() / "tests";
    std::map<std::string, std::pair<int, int>> coverage;  // rule -> (hit tests, miss tests)
    for (const RuleTest& test : findTests(tests_dir)) {
      if (!rules.find(test.rule)) {
        std::cout << "FAIL " << test.file.string() << ": no rule " << test.rule << "\n";
        ++failed;
        continue;
      }
      std::ifstream in(test.file, std::ios::binary);
      std::stringstream buffer;
      buffer << in.rdbuf();
      const std::string raw = buffer.str();
      const mime::Message message = mime::Message::parse(raw);
      const auto hits = scanMessage(rules, message, true);
      const ExplainedHit* found = nullptr;
      for (const auto& h : hits)
        if (h.name == test.rule) found = &h;
      const bool ok = (found != nullptr) == test.must_hit;
      auto& cov = coverage[test.rule];
      (test.must_hit ? cov.first : cov.second)++;
      std::cout << (ok ? "PASS " : "FAIL ") << test.file.string() << ": " << test.rule
                << (found ? " hit" : " did not hit");
      if (found && found->matched && (options.explain || !ok))
        std::cout << " on \"" << *found->matched << "\"";
      std::cout << "\n";
      if (options.explain) {
        for (const auto& h : hits) {
          if (!h.reported) continue;
          std::cout << "    " << h.name << " " << h.score;
          if (h.matched) std::cout << " \"" << *h.matched << "\"";
          std::cout << "\n";
        }
      }
      (ok ? passed : failed)++;
    }
    for (const auto& cr : rules.rules()) {
      if (cr.rule.isSubRule()) continue;
      const auto cov = coverage[cr.rule.name];
      if (cov.first == 0 || cov.second == 0) {
        std::cout << "FAIL " << cr.rule.where.file << ":" << cr.rule.where.line << ": "
                  << cr.rule.name << " needs at least one .hit and one .miss test\n";
        ++failed;
      }
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed ? 1 : 0;
}

}  // namespace

void addRulesCommand(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<RulesOptions>();
  if (auto dir = userCacheDir(); !dir.empty())
    options->cache_dir = (dir / "content-cache").string();
  CLI::App* rules = app.add_subcommand("rules", "Check and test content rule files");
  rules->require_subcommand(1);

  CLI::App* check = rules->add_subcommand("check", "Read and compile rule files, list problems");
  check->add_option("paths", options->paths, "Rule files or directories")->required();
  check->add_flag("--json", options->json, "Print one JSON object");
  check->add_flag("--warnings", options->warnings, "List every warning");
  check->add_option("--cache-dir", options->cache_dir, "Compiled-database cache directory");
  check
      ->add_option("--score-set", options->score_set,
                   "Score set 0-3 (default 0: no DNS lists, no classifier)")
      ->check(CLI::Range(0, 3));
  check->callback([options, &exit_status] { exit_status = runCheck(*options); });

  CLI::App* test = rules->add_subcommand("test", "Run the hit/miss tests kept beside rules");
  test->add_option("paths", options->paths, "Rule directories (with a tests/ folder)")->required();
  test->add_flag("--explain", options->explain, "Show every hit and its matched text");
  test->add_option("--cache-dir", options->cache_dir, "Compiled-database cache directory");
  test->callback([options, &exit_status] { exit_status = runTests(*options); });
}

}  // namespace portcullis::cli
