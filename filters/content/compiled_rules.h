// A rule set compiled for matching: rules grouped by the text they read (each header as read,
// body, rawbody, full, uri, mimeheader), each group one Hyperscan database (split only when too
// large for one) so that every text is scanned once per message; patterns Hyperscan cannot run
// exactly are prefiltered and confirmed by PCRE2 (RE2 for long patterns), or run by PCRE2 alone;
// meta rules evaluated with their operands settled on demand. Immutable once built, shared by every
// thread; scanning uses per-thread scratch. Building may take tens of seconds on a cold cache:
// compiled databases are kept on disk (see compile options).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "filters/content/content_view.h"
#include "filters/content/eval/eval_input.h"
#include "filters/content/eval/relay_model.h"
#include "filters/content/eval/site_services.h"
#include "filters/content/hyperscan_database.h"
#include "filters/content/meta_expression.h"
#include "filters/content/pcre_pattern.h"
#include "filters/content/re2_pattern.h"
#include "filters/content/rule.h"

namespace portcullis::content {

// How a rule is run.
enum class Engine : uint8_t {
  Hyperscan,           // exact in Hyperscan
  HyperscanPrefilter,  // Hyperscan prefilter, confirmed by PCRE2
  Pcre,                // PCRE2 alone
  Exists,              // header existence test
  Eval,                // built-in eval test
  Meta,                // meta expression
  Disabled,            // cannot run; see the reason
};
std::string_view toString(Engine e);

struct CompileOptions {
  int score_set = 1;                // which of the four score sets applies (0-3)
  std::filesystem::path cache_dir;  // empty: no disk cache
  PcreLimits pcre;
  size_t max_scan_bytes = 2 << 20;   // each text is scanned up to this many bytes
  bool plain_text_databases = true;  // also build databases restricted to plain text
  // Hyperscan databases only from the cache: a group whose databases are not there is left to
  // the confirming engines (PCRE2, with RE2 for long patterns), which give the same verdicts
  // more slowly. For a quick cold start while the full compile runs in the background.
  bool hyperscan_from_cache_only = false;
  // Networks that decide the relay model's trust ([checks.content]), added to what the rule
  // files' trusted_networks, internal_networks and msa_networks say.
  std::vector<std::string> trusted_networks, internal_networks, msa_networks;
  SiteServices services;  // the DNS lists and classifier network evals answer from
};

struct DisabledRule {
  std::string name;
  SourceLocation where;
  std::string reason;
};

// What compiling did, for logs and `rules check`.
struct CompileSummary {
  size_t rules_total = 0;
  size_t rules_loaded = 0;
  std::vector<DisabledRule> disabled;
  std::map<std::string, size_t> by_engine;  // engine name -> rules
  size_t groups = 0;
  size_t groups_from_cache = 0;
  size_t plain_text_groups = 0;         // groups with plain-text databases
  size_t groups_without_hyperscan = 0;  // left to the confirming engines (cache-only compile)
  std::vector<Diagnostic> settings;     // rule-file settings that could not be used, and why
  double seconds = 0;
};

struct RuleHit {
  size_t rule = 0;                      // index into CompiledRules::rules()
  int count = 1;                        // matches (more than one only with tflags multiple)
  std::optional<std::string> matched;   // the matched text, when explaining
  std::optional<std::string> evidence;  // why an eval test hit, when explaining
};

struct ScanResult {
  std::vector<RuleHit> hits;  // every rule that hit, sub-rules and zero scores included
  bool truncated = false;     // a text was longer than max_scan_bytes
};

// How much of the rule set a scan settles.
enum class ScanDepth {
  Every,    // every rule, sub-rules included (rule tests, explaining, unit tests)
  Verdict,  // the reported rules, and of the sub-rules only those their meta rules need
};

class CompiledRules {
 public:
  struct CompiledRule {
    Rule rule;
    Engine engine = Engine::Disabled;
    std::string disabled_reason;
    double score = 0;
    bool reported = false;  // counts toward the score and appears as a symbol
    int group = -1;         // text group for regex rules
    std::unique_ptr<PcrePattern> pcre;
    // Settles this rule on pieces where RE2 and PCRE2 agree, when it is long enough for that to
    // pay (re2_pattern.h): alone when exact, as a filter before PCRE2 otherwise; PCRE2 does
    // everywhere else.
    std::unique_ptr<Re2Pattern> re2;
    EvalTest eval;
    std::optional<MetaExpression> meta;
    std::vector<int> meta_operands;  // rule index per operand, -1 when not a rule here
  };
  struct TextGroup {
    RuleType type = RuleType::Body;
    std::string header;  // header and mimeheader groups
    HeaderForm form = HeaderForm::Decoded;
    std::optional<std::string> if_unset;
    // Whether a verdict can depend on these rules (see ScanDepth); the group's other rules, which
    // only a scan of every rule runs, are another group of the same text.
    bool verdict = true;
    std::vector<size_t> rules;  // rule indexes; Hyperscan ids are positions in this list
    // Usually one; a group Hyperscan cannot hold in one database ("too large") is split.
    std::vector<HsDatabase> databases;
    // The same patterns restricted to plain text (see pattern_rewrite.h), scanned instead of
    // `databases` when the text is plain; empty when no pattern changes.
    std::vector<HsDatabase> plain_databases;
    // Read in pieces, and every Hyperscan hit is settled on a piece by PCRE2 or RE2: a text that
    // is not plain as a whole may then have its plain pieces scanned apart, by plain_databases.
    bool scanned_in_parts = false;
    bool from_cache = false;
    bool without_hyperscan = false;  // see CompileOptions::hyperscan_from_cache_only
  };

  const std::vector<CompiledRule>& rules() const { return rules_; }
  const std::vector<TextGroup>& groups() const { return groups_; }
  const CompileSummary& summary() const { return summary_; }
  const CompileOptions& options() const { return options_; }
  const RelayTrust& trust() const { return trust_; }
  std::optional<size_t> find(const std::string& name) const;

  ScanResult scan(const ContentView& view, const ExternalSymbols& external = {},
                  bool explain = false, ScanDepth depth = ScanDepth::Every) const;

 private:
  friend class RuleCompiler;  // rule_compiler.cc, behind compileRules()
  friend class MessageScan;

  // What scanning reads of every rule on every message, packed apart from the rules themselves.
  struct RuleBrief {
    Engine engine = Engine::Disabled;
    bool reported = false;
    bool negated = false;
    int group = -1;
    uint32_t meta_program = 0;  // meta rules: where meta_programs_ holds the expression
  };
  // A meta operand's id in meta_programs_: a rule's index, or with this bit set, the place in
  // external_operands_ of a name no rule here answers (another check's symbol, or a disabled
  // rule's name, which another check may answer).
  static constexpr uint32_t kExternalOperand = 1u << 31;

  std::vector<CompiledRule> rules_;
  std::vector<RuleBrief> briefs_;  // one per rule
  // The reported rules a verdict settles whatever Hyperscan found: all but the un-negated
  // Hyperscan ones, which count only when their database hit.
  std::vector<uint32_t> verdict_settles_;
  PackedMetaPrograms meta_programs_;
  std::vector<std::string> external_operands_;
  std::vector<TextGroup> groups_;
  std::map<std::string, size_t> by_name_;
  CompileSummary summary_;
  CompileOptions options_;
  RelayTrust trust_;
  HsScratch scratch_prototype_;
  uint64_t generation_ = 0;
};

// Compiles a parsed rule set. Never fails as a whole: rules that cannot run are disabled with
// the reason (see summary()); a pattern no database accepts runs on PCRE2 when it can. Returns
// null only when `stop` is requested (checked between Hyperscan groups).
std::shared_ptr<const CompiledRules> compileRules(const RuleSet& set, const CompileOptions& options,
                                                  std::stop_token stop = {});

}  // namespace portcullis::content
