#include "gateway/cli/scan_command.h"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <toml++/toml.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include "filters/content/content_check.h"
#include "filters/content/eval/classifier_facts.h"
#include "filters/content/message_view.h"
#include "gateway/cli/check_catalog.h"
#include "gateway/cli/mail_files.h"
#include "gateway/cli/runtime.h"
#include "gateway/cli/user_cache_dir.h"
#include "gateway/core/offload.h"
#include "gateway/core/text.h"
#include "gateway/mime/message.h"
#include "gateway/mime/wire_form.h"
#include "gateway/pipeline/pipeline.h"

namespace portcullis::cli {
namespace {

namespace fs = std::filesystem;

struct ScanOptions {
  std::vector<std::string> paths;
  std::vector<std::string> rules;
  std::string config;
  bool json = false;
  bool explain = false;
};

// The absolute paths as a TOML array, written by toml++.
std::string tomlPathArray(const std::vector<std::string>& values) {
  toml::array paths;
  for (const auto& v : values) paths.push_back(fs::absolute(v).string());
  std::ostringstream out;
  out << paths;
  return out.str();
}

// The checks of the configuration, with the content check's rule files replaced by --rules.
std::vector<std::shared_ptr<const Check>> scanChecks(const config::GatewayConfig& config,
                                                     const ScanOptions& options,
                                                     const CheckDeps& deps) {
  auto checks = buildChecks(config.document, deps);
  if (options.rules.empty() || options.config.empty()) return checks;
  std::erase_if(checks, [](const auto& c) { return c->name() == "content"; });
  auto doc = config::Document::parseString(
      "[checks.content]\nrules = " + tomlPathArray(options.rules) + "\n", "--rules");
  auto section = doc.root().sub("checks")->sub("content");
  for (const auto& factory : checkCatalog()) {
    if (factory.name != "content") continue;
    auto content = factory.build(*section, deps);
    checks.insert(checks.end(), content.begin(), content.end());
  }
  return checks;
}

config::GatewayConfig scanConfig(const ScanOptions& options) {
  if (!options.config.empty()) return config::loadGatewayConfigFile(options.config);
  // The gateway's own sections are irrelevant offline but must validate.
  std::string text = "[domains]\nlocal = [\"localhost\"]\n[checks.content]\n";
  if (!options.rules.empty()) text += "rules = " + tomlPathArray(options.rules) + "\n";
  return config::loadGatewayConfig(config::Document::parseString(text, "(built-in defaults)"));
}

// Why a rule hit, as --explain shows it: the text a pattern matched, or an eval test's evidence.
struct Why {
  std::string kind;  // "matched" or "evidence"
  std::string text;
};

// How many of the classifier's most telling tokens --explain shows.
constexpr size_t kTellingTokensShown = 15;

// Why the classifier gave no probability.
std::string noProbabilityReason(const classifier::Classification& c,
                                const classifier::ClassifierSettings& settings) {
  if (!c.available) return "the classifier's store is unavailable: " + c.error;
  return fmt::format("learnt {} spam and {} ham, fewer than the {} spam and {} ham it needs",
                     c.spam_learned, c.ham_learned, settings.min_spam_learned,
                     settings.min_ham_learned);
}

std::string classifierJson(const classifier::Classification& c,
                           const classifier::ClassifierSettings& settings, bool explain) {
  std::string out = c.probability ? fmt::format(R"({{"probability":{:.4f})", *c.probability)
                                  : fmt::format(R"({{"probability":null,"reason":{})",
                                                jsonQuoted(noProbabilityReason(c, settings)));
  out += fmt::format(R"(,"spam_learned":{},"ham_learned":{})", c.spam_learned, c.ham_learned);
  if (explain) {
    std::string telling;
    for (size_t i = 0; i < c.telling.size() && i < kTellingTokensShown; ++i) {
      const auto& t = c.telling[i];
      if (!telling.empty()) telling += ",";
      telling += fmt::format(R"({{"token":{},"probability":{:.4f},"spam":{},"ham":{}}})",
                             jsonQuoted(t.text), t.probability, t.counts.spam, t.counts.ham);
    }
    out += ",\"telling\":[" + telling + "]";
  }
  return out + "}";
}

std::string classifierText(const classifier::Classification& c,
                           const classifier::ClassifierSettings& settings) {
  std::string out =
      c.probability
          ? fmt::format("    classifier: spam probability {:.4f} (learnt {} spam, {} ham)\n",
                        *c.probability, c.spam_learned, c.ham_learned)
          : "    classifier: no probability: " + noProbabilityReason(c, settings) + "\n";
  for (size_t i = 0; i < c.telling.size() && i < kTellingTokensShown; ++i) {
    const auto& t = c.telling[i];
    out += fmt::format("      {:.4f} {} (in {} spam, {} ham)\n", t.probability, t.text,
                       t.counts.spam, t.counts.ham);
  }
  return out;
}

struct Scanner {
  const ScanOptions& options;
  const Pipeline& pipeline;
  const Policy& policy;
  const mime::Limits limits;
  const uint64_t max_message_size;  // limits.max_message_size: what SMTP would have taken
  const content::ContentCheck* content = nullptr;  // for --explain
  asio::thread_pool& workers;

  awaitable<std::string> scan(const fs::path& file, size_t index) const {
    std::ifstream in(file, std::ios::binary);
    if (!in.is_open()) throw std::runtime_error("cannot open: " + std::string(strerror(errno)));
    std::error_code ec;
    if (const auto size = fs::file_size(file, ec); !ec && size > max_message_size) {
      throw std::runtime_error(
          fmt::format("{} bytes, more than limits.max_message_size ({})", size, max_message_size));
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    Transaction tx;
    tx.id = fmt::format("scan{}", index);
    tx.message = mime::inWireForm(buffer.str());
    auto parse = [&tx, this] {
      return std::make_shared<const mime::Message>(mime::Message::parse(tx.message, limits));
    };
    tx.parsed = co_await offload(workers, std::move(parse));
    Report report;
    for (Stage stage : {Stage::Connect, Stage::MailFrom, Stage::Recipient, Stage::Message}) {
      co_await pipeline.run(stage, tx, report);
    }
    const Verdict verdict = policy.decide(report);
    std::optional<classifier::Classification> classified;
    const auto classifier =
        content ? content->engine()->current()->options().services.classifier : nullptr;
    if (classifier && (options.json || options.explain)) {
      auto classify = [&classifier, &tx, this] {
        const content::ContentView view = content::viewOfMessage(*tx.parsed);
        return classifier->classify(content::classifierInputOf(view), options.explain);
      };
      classified = co_await offload(workers, std::move(classify));
    }
    std::map<std::string, Why> why;
    if (options.explain && content) {
      auto rules = content->engine()->current();
      auto explain = [&rules, &tx] { return content::scanMessage(*rules, *tx.parsed, true, &tx); };
      for (const auto& hit : co_await offload(workers, std::move(explain))) {
        if (hit.matched) why[hit.name] = {"matched", *hit.matched};
        if (hit.evidence) why[hit.name] = {"evidence", *hit.evidence};
      }
    }
    std::string extra;
    if (classified) {
      extra = options.json ? classifierJson(*classified, classifier->settings(), options.explain)
                           : classifierText(*classified, classifier->settings());
    }
    co_return options.json ? jsonLine(file, verdict, why, extra)
                           : textLines(file, verdict, why) + extra;
  }

  // `classified`: the classifier's JSON object, or empty without a classifier.
  std::string jsonLine(const fs::path& file, const Verdict& v,
                       const std::map<std::string, Why>& why, const std::string& classified) const {
    std::string names, explain;
    for (const auto& s : v.symbols) {
      if (!names.empty()) names += ",";
      names += jsonQuoted(s.name);
      if (!options.explain) continue;
      if (!explain.empty()) explain += ",";
      auto w = why.find(s.name);
      explain += fmt::format(R"({{"name":{},"score":{:.3f},{}:{}}})", jsonQuoted(s.name), s.score,
                             jsonQuoted(w != why.end() ? w->second.kind : "detail"),
                             jsonQuoted(w != why.end() ? w->second.text : s.detail));
    }
    std::string line =
        fmt::format(R"({{"file":{},"action":{},"score":{:.3f},"symbols":[{}],"reason":{})",
                    jsonQuoted(file.string()), jsonQuoted(toString(v.action)), v.score, names,
                    jsonQuoted(v.reason));
    if (!classified.empty()) line += ",\"classifier\":" + classified;
    if (options.explain) line += ",\"explain\":[" + explain + "]";
    return line + "}\n";
  }

  std::string textLines(const fs::path& file, const Verdict& v,
                        const std::map<std::string, Why>& why) const {
    std::string names;
    for (const auto& s : v.symbols) names += (names.empty() ? "" : ",") + s.name;
    std::string out = fmt::format("{}: {} score={:.2f} {}\n", file.string(), toString(v.action),
                                  v.score, names.empty() ? "-" : names);
    if (!options.explain) return out;
    for (const auto& s : v.symbols) {
      auto w = why.find(s.name);
      if (w == why.end()) {
        out += fmt::format("    {} {:.2f} {}\n", s.name, s.score, s.detail);
      } else if (w->second.kind == "matched") {
        out += fmt::format("    {} {:.2f} matched \"{}\"\n", s.name, s.score, w->second.text);
      } else {
        out += fmt::format("    {} {:.2f} because {}\n", s.name, s.score, w->second.text);
      }
    }
    return out;
  }
};

int runScan(const ScanOptions& options) {
  // Progress and rule-compile messages go to stderr; stdout carries only verdicts.
  auto logger = spdlog::stderr_logger_mt("portcullis-scan");
  logger->set_level(spdlog::level::warn);
  spdlog::set_default_logger(logger);

  std::vector<std::string> errors;
  const std::vector<fs::path> files = mailFiles(options.paths, errors);
  const config::GatewayConfig config = scanConfig(options);
  const size_t threads = std::max(1u, std::thread::hardware_concurrency());
  asio::thread_pool workers(threads);
  CheckDeps deps{workers, nullptr, userCacheDir()};
  Pipeline pipeline(scanChecks(config, options, deps), config.pipeline.check_timeout);
  const auto policy = buildPolicy(config);
  Scanner scanner{
      options, pipeline, *policy, mimeLimits(config.mime), config.limits.max_message_size,
      nullptr, workers};
  for (const auto& check : pipeline.checks()) {
    if (auto* c = dynamic_cast<const content::ContentCheck*>(check.get())) scanner.content = c;
  }

  // Several messages in flight (the checks run on the worker pool); printed in file order.
  asio::io_context io;
  std::vector<std::optional<std::string>> results(files.size());
  size_t next_file = 0, next_print = 0;
  bool failed = false;
  auto worker = [&]() -> awaitable<void> {
    while (next_file < files.size()) {
      const size_t i = next_file++;
      std::string error;
      try {
        results[i] = co_await scanner.scan(files[i], i);
      } catch (const std::exception& e) {
        error = e.what();
      }
      if (!error.empty()) {
        std::cerr << "portcullis scan: " << files[i].string() << ": " << error << "\n";
        failed = true;
        results[i] = "";
      }
      for (; next_print < files.size() && results[next_print]; ++next_print) {
        std::cout << *results[next_print];
        results[next_print]->clear();
      }
    }
  };
  for (size_t i = 0; i < 2 * threads; ++i) asio::co_spawn(io, worker(), asio::detached);
  io.run();
  std::cout.flush();
  workers.join();
  for (const auto& e : errors) std::cerr << "portcullis scan: " << e << "\n";
  return errors.empty() && !failed ? 0 : 2;
}

}  // namespace

void addScanCommand(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<ScanOptions>();
  CLI::App* scan = app.add_subcommand("scan", "Run the checks and policy over message files");
  scan->add_option("paths", options->paths, "Message files or directories of them")->required();
  scan->add_option("-c,--config", options->config,
                   "Configuration whose checks and policy apply (default: shipped rules)");
  scan->add_option("--rules", options->rules, "Rule file or directory (replaces the configured)")
      ->allow_extra_args(false);
  scan->add_flag("--json", options->json, "One JSON object per message");
  scan->add_flag("--explain", options->explain, "Show each symbol's score and matched text");
  scan->callback([options, &exit_status] { exit_status = runScan(*options); });
}

}  // namespace portcullis::cli
