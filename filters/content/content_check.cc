#include "filters/content/content_check.h"

#include <unistd.h>

#include <optional>
#include <set>

#include "filters/content/autolearn.h"
#include "filters/content/eval/classifier_facts.h"
#include "filters/content/message_view.h"
#include "gateway/core/offload.h"
#include "gateway/mime/message.h"

namespace portcullis::content {
namespace {

std::string hostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
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

}  // namespace portcullis::content
