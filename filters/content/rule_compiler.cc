// Builds CompiledRules from a RuleSet: classifies every pattern for Hyperscan (exact, prefilter)
// or PCRE2, compiles one database per text group (or loads it from the disk cache), resolves and
// orders meta rules.
#include <chrono>
#include <cstdlib>
#include <functional>
#include <set>

#include "filters/content/compiled_rules.h"
#include "filters/content/database_cache.h"
#include "filters/content/eval/eval_registry.h"
#include "filters/content/pattern_edges.h"
#include "filters/content/pattern_rewrite.h"
#include "gateway/base/text.h"

namespace portcullis::content {
namespace {

std::atomic<uint64_t> next_generation{1};

// Rule types whose text SpamAssassin tests piece by piece (line, paragraph, URI, MIME part):
// we scan them joined by newlines, so ^ and $ must match at every line.
bool linewise(RuleType t) {
  return t == RuleType::Body || t == RuleType::RawBody || t == RuleType::Uri ||
         t == RuleType::MimeHeader;
}

std::string groupKey(const Rule& rule) {
  std::string key(toString(rule.type));
  if (rule.type == RuleType::Header || rule.type == RuleType::MimeHeader) {
    key += '\t' + (rule.header == "ALL" || rule.header == "MESSAGEID" ? rule.header
                                                                      : toLower(rule.header));
    key += '\t' + std::to_string(static_cast<int>(rule.header_form));
    if (rule.if_unset) key += "\tunset=" + *rule.if_unset;
  }
  return key;
}

// The shortest match of `expression` as Hyperscan reads it (as a prefilter when it cannot run it
// exactly); 0 when it cannot say.
unsigned minimumWidth(const std::string& expression, const RuleRegex& regex) {
  const unsigned flags = HS_FLAG_MULTILINE | (regex.caseless ? HS_FLAG_CASELESS : 0u) |
                         (regex.dotall ? HS_FLAG_DOTALL : 0u);
  for (const unsigned mode : {flags, flags | HS_FLAG_PREFILTER}) {
    hs_expr_info_t* info = nullptr;
    hs_compile_error_t* error = nullptr;
    if (hs_expression_info(expression.c_str(), mode, &info, &error) != HS_SUCCESS) {
      hs_free_compile_error(error);
      continue;
    }
    const unsigned width = info->min_width;
    std::free(info);
    return width;
  }
  return 0;
}

// The expression Hyperscan runs for a rule: a rule read in pieces, which Hyperscan scans joined by
// newlines, loses its piece anchors when PCRE2 is there to settle its hits on the pieces, and its
// optional edges (pattern_edges.h) unless what remains could match nearly anywhere.
std::string hyperscanExpression(const Rule& rule, const std::string& pattern, bool has_pcre) {
  constexpr unsigned kMinimumCoreWidth = 3;
  if (rule.regex.extended) return "(?x)" + pattern;
  if (!readInPieces(rule.type) || !has_pcre) return pattern;
  std::string unanchored = withoutPieceAnchors(pattern).value_or(pattern);
  if (auto core = withoutOptionalEdges(unanchored);
      core && minimumWidth(*core, rule.regex) >= kMinimumCoreWidth)
    return std::move(*core);
  return unanchored;
}

HsPattern hyperscanPattern(const Rule& rule, unsigned id, bool has_pcre) {
  HsPattern p;
  p.expression = hyperscanExpression(rule, rule.regex.pattern, has_pcre);
  p.flags = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;
  if (rule.regex.caseless) p.flags |= HS_FLAG_CASELESS;
  if (rule.regex.multiline || linewise(rule.type)) p.flags |= HS_FLAG_MULTILINE;
  if (rule.regex.dotall) p.flags |= HS_FLAG_DOTALL;
  p.id = id;
  return p;
}

// Names how buildGroup() classifies patterns for Hyperscan (exact, prefilter, PCRE2 alone). It is
// part of every group's cache key: a cache written by another classification (an older release's
// reduced-repeat prefilter, say) is compiled afresh instead of being loaded with its modes.
constexpr const char* kClassificationRevision = "classification 3";

Engine modeEngine(uint8_t mode) {
  return static_cast<Engine>(mode);
}

// A pattern Hyperscan rejected in a full compile moves one step down: exact to prefilter (when
// Hyperscan accepts that and PCRE2 can confirm), else to PCRE2 alone, else disabled.
void demote(CompiledRules::CompiledRule& rule, const HsPattern& pattern, const std::string& error) {
  if (rule.engine == Engine::Hyperscan && rule.pcre &&
      checkHsExpression(pattern.expression, pattern.flags | HS_FLAG_PREFILTER)) {
    rule.engine = Engine::HyperscanPrefilter;
    return;
  }
  rule.engine = rule.pcre ? Engine::Pcre : Engine::Disabled;
  if (!rule.pcre) rule.disabled_reason = "Hyperscan: " + error + "; " + rule.disabled_reason;
}

// Compiles the Hyperscan patterns among `members` (positions in the group) into databases:
// one if possible; a compile that fails on a named pattern demotes it and retries; one that
// fails as a whole ("too large") is split in two.
void compileMembers(CompiledRules::TextGroup& group,
                    std::vector<CompiledRules::CompiledRule>& rules,
                    const std::vector<HsPattern>& patterns, std::vector<size_t> members) {
  constexpr int kMaxRetries = 32;
  for (int attempt = 0;; ++attempt) {
    std::vector<HsPattern> selected;
    std::vector<size_t> selected_members;
    for (size_t m : members) {
      const Engine e = rules[group.rules[m]].engine;
      if (e != Engine::Hyperscan && e != Engine::HyperscanPrefilter) continue;
      selected.push_back(patterns[m]);
      if (e == Engine::HyperscanPrefilter) selected.back().flags |= HS_FLAG_PREFILTER;
      selected_members.push_back(m);
    }
    if (selected.empty()) return;
    HsCompiled compiled = compileHsDatabase(selected);
    if (compiled.database) {
      group.databases.push_back(std::move(compiled.database));
      return;
    }
    if (compiled.failed_index >= 0 && attempt < kMaxRetries) {
      const size_t culprit = selected_members[compiled.failed_index];
      demote(rules[group.rules[culprit]], patterns[culprit], compiled.error);
      continue;
    }
    if (selected_members.size() == 1) {
      demote(rules[group.rules[selected_members[0]]], patterns[selected_members[0]],
             compiled.error);
      continue;
    }
    const auto middle = selected_members.begin() + selected_members.size() / 2;
    compileMembers(group, rules, patterns, {selected_members.begin(), middle});
    compileMembers(group, rules, patterns, {middle, selected_members.end()});
    return;
  }
}

// Loads a cache entry's databases; nullopt when any of them does not load.
std::optional<std::vector<HsDatabase>> loadDatabases(const CacheEntry& entry) {
  std::vector<HsDatabase> databases;
  for (const auto& bytes : entry.databases) {
    HsDatabase db = deserializeHsDatabase(bytes);
    if (!db) return std::nullopt;
    databases.push_back(std::move(db));
  }
  return databases;
}

void storeDatabases(const std::filesystem::path& cache_dir, const std::string& key,
                    std::vector<uint8_t> modes, const std::vector<HsDatabase>& databases) {
  CacheEntry entry;
  entry.modes = std::move(modes);
  for (const auto& db : databases) {
    auto bytes = serializeHsDatabase(db.get());
    if (!bytes) return;
    entry.databases.push_back(std::move(*bytes));
  }
  writeCacheEntry(cache_dir, key, entry);
}

// Builds (or loads) a group's plain-text database once its rules' engines are settled: each
// Hyperscan pattern restricted to plain text, in the same mode, except that a prefilter pattern
// whose restriction Hyperscan runs exactly becomes exact (its hits are confirmed by PCRE2 all the
// same). A restriction Hyperscan rejects falls back to the original pattern, which is as right on
// plain text; a database that still does not compile is done without.
void buildPlainDatabase(CompiledRules::TextGroup& group,
                        const std::vector<CompiledRules::CompiledRule>& rules,
                        const std::vector<HsPattern>& patterns, const CompileOptions& options,
                        const std::string& fingerprint) {
  if (!options.plain_text_databases) return;
  std::vector<HsPattern> plain, original;
  bool changed = false;
  for (size_t m = 0; m < patterns.size(); ++m) {
    const auto& cr = rules[group.rules[m]];
    if (cr.engine != Engine::Hyperscan && cr.engine != Engine::HyperscanPrefilter) continue;
    HsPattern as_is = patterns[m];
    if (cr.engine == Engine::HyperscanPrefilter) as_is.flags |= HS_FLAG_PREFILTER;
    const PlainTextPattern restricted =
        cr.rule.regex.extended ? PlainTextPattern{} : restrictToPlainText(cr.rule.regex.pattern);
    if (restricted.kind == PlainTextPattern::Kind::NeverMatches) {
      changed = true;
      continue;
    }
    HsPattern p = as_is;
    if (restricted.kind == PlainTextPattern::Kind::Restricted) {
      p = patterns[m];
      p.expression = hyperscanExpression(cr.rule, restricted.pattern, cr.pcre != nullptr);
      if (!checkHsExpression(p.expression, p.flags)) {
        p.flags |= HS_FLAG_PREFILTER;
        if (cr.engine == Engine::Hyperscan || !checkHsExpression(p.expression, p.flags)) p = as_is;
      }
    }
    changed = changed || p.expression != as_is.expression || p.flags != as_is.flags;
    plain.push_back(p);
    original.push_back(std::move(as_is));
  }
  if (!changed) return;
  std::string key_material = fingerprint + "\nplain text\n" + groupKey(rules[group.rules[0]].rule);
  for (const auto& p : plain)
    key_material +=
        '\n' + std::to_string(p.id) + ':' + std::to_string(p.flags) + ':' + p.expression;
  const std::string key = sha256Hex(key_material);
  if (auto entry = readCacheEntry(options.cache_dir, key)) {
    if (auto databases = loadDatabases(*entry)) {
      group.plain_databases = std::move(*databases);
      return;
    }
  }
  for (size_t attempt = 0; attempt <= plain.size(); ++attempt) {
    HsCompiled compiled = compileHsDatabase(plain);
    if (compiled.database) {
      group.plain_databases.push_back(std::move(compiled.database));
      storeDatabases(options.cache_dir, key, {}, group.plain_databases);
      return;
    }
    const int failed = compiled.failed_index;
    if (failed < 0 || plain[failed].expression == original[failed].expression) return;
    plain[failed] = original[failed];
  }
}

// Per rule, whether a verdict can depend on it: a reported rule, or one a meta rule that a verdict
// depends on reads.
std::vector<bool> neededForVerdict(const std::vector<CompiledRules::CompiledRule>& rules) {
  std::vector<bool> needed(rules.size(), false);
  std::vector<size_t> stack;
  for (size_t i = 0; i < rules.size(); ++i) {
    if (rules[i].reported) {
      needed[i] = true;
      stack.push_back(i);
    }
  }
  while (!stack.empty()) {
    const auto& cr = rules[stack.back()];
    stack.pop_back();
    for (const int dep : cr.meta_operands) {
      if (dep < 0 || needed[dep]) continue;
      needed[dep] = true;
      stack.push_back(static_cast<size_t>(dep));
    }
  }
  return needed;
}

// Decides the engine of every rule of a group and builds its databases (or loads them).
void buildGroup(CompiledRules::TextGroup& group, std::vector<CompiledRules::CompiledRule>& rules,
                const CompileOptions& options, const std::string& fingerprint) {
  std::vector<HsPattern> patterns;
  std::string key_material = fingerprint + '\n' + kClassificationRevision + '\n' +
                             groupKey(rules[group.rules.front()].rule);
  for (size_t i = 0; i < group.rules.size(); ++i) {
    const auto& cr = rules[group.rules[i]];
    patterns.push_back(hyperscanPattern(cr.rule, static_cast<unsigned>(i), cr.pcre != nullptr));
    key_material += '\n' + std::to_string(patterns.back().flags) + ':' +
                    patterns.back().expression + (rules[group.rules[i]].pcre ? ":p" : ":-");
  }
  const std::string key = sha256Hex(key_material);

  if (auto entry = readCacheEntry(options.cache_dir, key);
      entry && entry->modes.size() == patterns.size()) {
    if (auto databases = loadDatabases(*entry)) {
      for (size_t i = 0; i < patterns.size(); ++i) {
        auto& rule = rules[group.rules[i]];
        rule.engine = modeEngine(entry->modes[i]);
        if (rule.engine == Engine::Disabled && rule.disabled_reason.empty())
          rule.disabled_reason = "Hyperscan and PCRE2 reject it (cached result)";
      }
      group.databases = std::move(*databases);
      group.from_cache = true;
      buildPlainDatabase(group, rules, patterns, options, fingerprint);
      return;
    }
  }

  if (options.hyperscan_from_cache_only) {
    for (size_t index : group.rules) {
      auto& rule = rules[index];
      rule.engine = rule.pcre ? Engine::Pcre : Engine::Disabled;
    }
    group.without_hyperscan = true;
    return;
  }

  // Classify: exact if Hyperscan takes it, else prefilter (confirmed by PCRE2), else PCRE2.
  for (size_t i = 0; i < patterns.size(); ++i) {
    auto& rule = rules[group.rules[i]];
    if (Status exact = checkHsExpression(patterns[i].expression, patterns[i].flags); exact) {
      rule.engine = Engine::Hyperscan;
    } else if (rule.pcre &&
               checkHsExpression(patterns[i].expression, patterns[i].flags | HS_FLAG_PREFILTER)) {
      rule.engine = Engine::HyperscanPrefilter;
    } else {
      rule.engine = rule.pcre ? Engine::Pcre : Engine::Disabled;
      if (!rule.pcre)
        rule.disabled_reason = "Hyperscan: " + exact.error + "; " + rule.disabled_reason;
    }
  }
  std::vector<size_t> all(patterns.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  compileMembers(group, rules, patterns, all);

  std::vector<uint8_t> modes;
  for (size_t index : group.rules) modes.push_back(static_cast<uint8_t>(rules[index].engine));
  storeDatabases(options.cache_dir, key, std::move(modes), group.databases);
  buildPlainDatabase(group, rules, patterns, options, fingerprint);
}

}  // namespace

std::string_view toString(Engine e) {
  switch (e) {
    case Engine::Hyperscan:
      return "hyperscan";
    case Engine::HyperscanPrefilter:
      return "hyperscan-prefilter+pcre2";
    case Engine::Pcre:
      return "pcre2";
    case Engine::Exists:
      return "exists";
    case Engine::Eval:
      return "eval";
    case Engine::Meta:
      return "meta";
    case Engine::Disabled:
      return "disabled";
  }
  return "?";
}

std::optional<size_t> CompiledRules::find(const std::string& name) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

// Builds one CompiledRules phase by phase; compileRules runs the phases in order.
class RuleCompiler {
 public:
  RuleCompiler(const RuleSet& set, const CompileOptions& options)
      : set_(set), options_(options), out_(new CompiledRules()), rules_(out_->rules_) {}

  std::shared_ptr<const CompiledRules> run(std::stop_token stop) {
    const auto started = std::chrono::steady_clock::now();
    out_->options_ = options_;
    out_->generation_ = next_generation++;
    out_->trust_ =
        relayTrustOf(set_.settings, options_.trusted_networks, options_.internal_networks,
                     options_.msa_networks, out_->summary_.settings);
    compileEachRule();
    resolveMetaOperands();
    groupPatternRules();
    if (!buildHyperscanGroups(stop)) return nullptr;
    addRe2ForLongPatterns();
    jitHotPatterns();
    disableUnsettledMetas();
    packBriefs();
    markGroupsScannedInParts();
    summarize(started);
    return out_;
  }

 private:
  // Scores, then per rule what runs it: a meta expression, an eval test, a header's existence or
  // a pattern (PCRE2 here; Hyperscan once grouped).
  void compileEachRule() {
    rules_.reserve(set_.rules.size());
    EvalBuildContext eval_context(set_.settings, options_.services);
    for (const Rule& source : set_.rules) {
      out_->by_name_[source.name] = rules_.size();
      rules_.push_back(compileRule(source, eval_context));
    }
  }

  CompiledRules::CompiledRule compileRule(const Rule& source, EvalBuildContext& eval_context) {
    CompiledRules::CompiledRule cr;
    cr.rule = source;
    cr.score = effectiveScore(source, options_.score_set);
    cr.reported = !source.isSubRule() && cr.score != 0;
    if (!source.unsupported.empty()) {
      cr.disabled_reason = source.unsupported;
    } else if (source.type == RuleType::Meta) {
      auto parsed = MetaExpression::parse(source.meta_expression);
      if (!parsed) {
        cr.disabled_reason = "meta expression: " + parsed.error;
      } else {
        cr.meta = std::move(*parsed);
        cr.engine = Engine::Meta;
      }
    } else if (source.is_eval) {
      auto test = makeEvalTest(source.eval_call, source.eval_args, eval_context);
      if (!test) {
        cr.disabled_reason = test.error;
      } else if (auto skipped = scoreSetSkips(source.tflags, options_.score_set)) {
        cr.disabled_reason = *skipped;
      } else {
        cr.eval = std::move(*test);
        cr.engine = Engine::Eval;
      }
    } else if (source.exists_test) {
      cr.engine = Engine::Exists;
    } else {
      auto compiled =
          PcrePattern::compile(source.regex, linewise(source.type), false, options_.pcre);
      if (compiled) {
        cr.pcre = std::move(*compiled);
      } else {
        cr.disabled_reason = "PCRE2: " + compiled.error;
      }
    }
    return cr;
  }

  // Meta operands: a rule of this set, or a symbol another check may add.
  void resolveMetaOperands() {
    for (auto& cr : rules_) {
      if (cr.engine != Engine::Meta) continue;
      for (const auto& name : cr.meta->operands()) {
        auto it = out_->by_name_.find(name);
        cr.meta_operands.push_back(it == out_->by_name_.end() ? -1 : static_cast<int>(it->second));
      }
    }
  }

  // Pattern rules are grouped by the text they read, those no verdict depends on apart.
  void groupPatternRules() {
    std::map<std::string, size_t> group_index;
    const std::vector<bool> verdict = neededForVerdict(rules_);
    for (size_t index = 0; index < rules_.size(); ++index) {
      auto& cr = rules_[index];
      const Rule& source = cr.rule;
      if (!source.unsupported.empty() || source.type == RuleType::Meta || source.is_eval ||
          source.exists_test)
        continue;
      const std::string key = groupKey(source) + (verdict[index] ? "" : "\tno verdict");
      auto [it, inserted] = group_index.try_emplace(key, out_->groups_.size());
      if (inserted) {
        CompiledRules::TextGroup group;
        group.type = source.type;
        group.header = source.header;
        group.form = source.header_form;
        group.if_unset = source.if_unset;
        group.verdict = verdict[index];
        out_->groups_.push_back(std::move(group));
      }
      cr.group = static_cast<int>(it->second);
      out_->groups_[it->second].rules.push_back(index);
    }
  }

  // Each group's databases, built or loaded, and scratch space for all of them; false when `stop`
  // is requested between two groups.
  bool buildHyperscanGroups(std::stop_token stop) {
    const std::string fingerprint = hsPlatformFingerprint();
    for (auto& group : out_->groups_) {
      if (stop.stop_requested()) return false;
      buildGroup(group, rules_, options_, fingerprint);
      for (const auto* set : {&group.databases, &group.plain_databases}) {
        for (const auto& db : *set) {
          hs_scratch_t* proto = out_->scratch_prototype_.release();
          if (hs_alloc_scratch(db.get(), &proto) == HS_SUCCESS)
            out_->scratch_prototype_.reset(proto);
        }
      }
    }
    return true;
  }

  // Long patterns whose hits are settled on pieces also get RE2 (`multiple` rules count with
  // PCRE2).
  void addRe2ForLongPatterns() {
    for (auto& cr : rules_) {
      const bool settled_on_pieces =
          readInPieces(cr.rule.type) && cr.pcre && !cr.rule.tflag_multiple &&
          (cr.engine == Engine::Hyperscan || cr.engine == Engine::HyperscanPrefilter ||
           cr.engine == Engine::Pcre);
      if (settled_on_pieces) cr.re2 = Re2Pattern::compile(cr.rule.regex);
    }
  }

  // Patterns PCRE2 runs on every message get JIT-compiled.
  void jitHotPatterns() {
    for (auto& cr : rules_) {
      const bool hot = cr.engine == Engine::HyperscanPrefilter || cr.engine == Engine::Pcre ||
                       (cr.engine == Engine::Hyperscan && cr.rule.tflag_multiple);
      if (hot && cr.pcre && !cr.pcre->jitted()) {
        if (auto jitted =
                PcrePattern::compile(cr.rule.regex, linewise(cr.rule.type), true, options_.pcre))
          cr.pcre = std::move(*jitted);
      }
    }
  }

  // A meta rule inside a dependency loop, or nested too deep to settle by recursion, is disabled.
  // Walked with an explicit stack, so that no rule file can exhaust this thread's.
  void disableUnsettledMetas() {
    constexpr int kMaxMetaDepth = 64;
    std::vector<int> depth(rules_.size(), 0);  // 0 unvisited, -1 on the stack or in a loop
    const auto isMeta = [&](int dep) { return dep >= 0 && !rules_[dep].meta_operands.empty(); };
    for (size_t root = 0; root < rules_.size(); ++root) {
      if (rules_[root].engine != Engine::Meta || depth[root] != 0) continue;
      std::vector<std::pair<size_t, size_t>> stack{{root, 0}};  // (rule, next operand)
      depth[root] = -1;
      while (!stack.empty()) {
        auto& [i, next] = stack.back();
        const auto& operands = rules_[i].meta_operands;
        if (next < operands.size()) {
          const int dep = operands[next++];
          if (isMeta(dep) && depth[dep] == 0) {
            depth[dep] = -1;
            stack.emplace_back(static_cast<size_t>(dep), 0);
          }
          continue;
        }
        bool loop = false;
        int deepest = 0;
        for (int dep : operands) {
          if (!isMeta(dep)) continue;
          loop = loop || depth[dep] < 0;
          deepest = std::max(deepest, depth[dep]);
        }
        auto& rule = rules_[i];
        if (loop) {
          rule.engine = Engine::Disabled;
          rule.disabled_reason = "meta rule is in, or depends on, a dependency loop";
        } else {
          depth[i] = deepest + 1;
          if (depth[i] > kMaxMetaDepth) {
            rule.engine = Engine::Disabled;
            rule.disabled_reason =
                "meta rules nest more than " + std::to_string(kMaxMetaDepth) + " deep";
          }
        }
        stack.pop_back();
      }
    }
  }

  // What asking for rule i costs a meta rule: the cost model at the top of meta_expression.h.
  double settleCost(size_t i, std::vector<double>& known) const {
    if (known[i] >= 0) return known[i];
    const auto& cr = rules_[i];
    const double piece_by_piece = 0.5 + static_cast<double>(cr.rule.regex.pattern.size()) / 200;
    double cost = 0;
    known[i] = 0;  // a meta that reaches itself again (the compiler disables such loops) adds 0
    switch (cr.reported ? Engine::Disabled : cr.engine) {
      case Engine::Meta:
        for (const int dep : cr.meta_operands)
          cost += dep >= 0 ? settleCost(static_cast<size_t>(dep), known) : 0;
        break;
      case Engine::Eval:
        cost = 3;
        break;
      case Engine::Exists:
        cost = 0.1;
        break;
      case Engine::Hyperscan:
        if (cr.rule.tflag_multiple && cr.pcre) {
          cost = piece_by_piece;
        } else if (readInPieces(cr.rule.type) && cr.pcre) {
          cost = piece_by_piece / 10;
        }
        break;
      case Engine::HyperscanPrefilter:
      case Engine::Pcre:
        cost = piece_by_piece;
        break;
      case Engine::Disabled:
        break;
    }
    return known[i] = cost;
  }

  // What scanning reads of every rule, meta expressions packed with their operand ids, their
  // cheap operands first.
  void packBriefs() {
    std::vector<double> known_costs(rules_.size(), -1);
    for (const auto& cr : rules_) {
      CompiledRules::RuleBrief brief{cr.engine, cr.reported, cr.rule.negated, cr.group};
      if (cr.engine == Engine::Meta) {
        std::vector<uint32_t> ids;
        std::vector<MetaExpression::OperandTraits> traits;  // other checks' symbols: free, 0 or 1
        for (size_t k = 0; k < cr.meta_operands.size(); ++k) {
          const int dep = cr.meta_operands[k];
          if (dep >= 0 && rules_[dep].engine != Engine::Disabled) {
            ids.push_back(static_cast<uint32_t>(dep));
            traits.push_back({settleCost(static_cast<size_t>(dep), known_costs),
                              !rules_[dep].rule.tflag_multiple});
          } else {
            ids.push_back(CompiledRules::kExternalOperand |
                          static_cast<uint32_t>(out_->external_operands_.size()));
            out_->external_operands_.push_back(cr.meta->operands()[k]);
            traits.push_back({});
          }
        }
        brief.meta_program = out_->meta_programs_.add(cr.meta->cheapestFirst(traits), ids);
      }
      const bool hyperscan =
          cr.engine == Engine::Hyperscan || cr.engine == Engine::HyperscanPrefilter;
      if (cr.reported && (!hyperscan || cr.rule.negated))
        out_->verdict_settles_.push_back(static_cast<uint32_t>(out_->briefs_.size()));
      out_->briefs_.push_back(brief);
    }
  }

  void markGroupsScannedInParts() {
    for (auto& g : out_->groups_) {
      g.scanned_in_parts = readInPieces(g.type) && !g.plain_databases.empty() &&
                           std::all_of(g.rules.begin(), g.rules.end(), [&](size_t i) {
                             const auto& cr = rules_[i];
                             return cr.pcre || (cr.engine != Engine::Hyperscan &&
                                                cr.engine != Engine::HyperscanPrefilter);
                           });
    }
  }

  void summarize(std::chrono::steady_clock::time_point started) {
    auto& summary = out_->summary_;
    summary.rules_total = rules_.size();
    for (const auto& cr : rules_) {
      summary.by_engine[std::string(toString(cr.engine))]++;
      if (cr.engine == Engine::Disabled) {
        summary.disabled.push_back({cr.rule.name, cr.rule.where, cr.disabled_reason});
      } else {
        ++summary.rules_loaded;
      }
    }
    summary.groups = out_->groups_.size();
    for (const auto& g : out_->groups_) {
      summary.groups_from_cache += g.from_cache ? 1 : 0;
      summary.plain_text_groups += g.plain_databases.empty() ? 0 : 1;
      summary.groups_without_hyperscan += g.without_hyperscan ? 1 : 0;
    }
    summary.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }

  const RuleSet& set_;
  const CompileOptions& options_;
  std::shared_ptr<CompiledRules> out_;
  std::vector<CompiledRules::CompiledRule>& rules_;
};

std::shared_ptr<const CompiledRules> compileRules(const RuleSet& set, const CompileOptions& options,
                                                  std::stop_token stop) {
  return RuleCompiler(set, options).run(std::move(stop));
}

}  // namespace portcullis::content
