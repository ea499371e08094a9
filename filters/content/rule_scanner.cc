// Scanning one message with CompiledRules: each group's text is built once and scanned once by
// its Hyperscan database; prefilter hits are confirmed and `multiple` rules counted by PCRE2;
// then exists and eval tests; then meta rules in dependency order.
#include <algorithm>

#include "filters/content/compiled_rules.h"
#include "gateway/core/text.h"

namespace portcullis::content {
namespace {

int onMatch(unsigned id, unsigned long long, unsigned long long, unsigned, void* context) {
  (*static_cast<std::vector<char>*>(context))[id] = 1;
  return 0;
}

std::string groupText(const CompiledRules::TextGroup& group, const ContentView& view) {
  switch (group.type) {
    case RuleType::Header: {
      auto text = headerText(view, group.header, group.form);
      if (text) return std::move(*text);
      return group.if_unset.value_or("");
    }
    case RuleType::MimeHeader: {
      std::string text;
      for (const auto& part : view.parts) {
        if (auto value = partHeaderText(part, group.header, group.form)) text += *value;
      }
      if (text.empty() && group.if_unset) return *group.if_unset;
      return text;
    }
    case RuleType::Body:
      return std::string(view.body);
    case RuleType::RawBody:
      return std::string(view.rawbody);
    case RuleType::Full:
      return std::string(view.full);
    case RuleType::Uri: {
      std::string text;
      for (std::string_view uri : view.uris) text.append(uri).append("\n");
      return text;
    }
    case RuleType::Meta:
      break;
  }
  return {};
}

bool headerExists(const ContentView& view, const std::string& name) {
  if (std::any_of(view.pseudo_headers.begin(), view.pseudo_headers.end(),
                  [&](const auto& p) { return iequals(p.first, name); }))
    return true;
  return std::any_of(view.headers.begin(), view.headers.end(),
                     [&](const ViewHeader& h) { return iequals(h.name, name); });
}

}  // namespace

void CompiledRules::scanGroup(const TextGroup& group, std::string_view text,
                              std::vector<int>& counts, hs_scratch_t* scratch) const {
  std::vector<char> matched(group.rules.size(), 0);
  bool database_ran = scratch != nullptr;
  for (const auto& db : group.databases) {
    if (!database_ran) break;
    database_ran = hs_scan(db.get(), text.data(), static_cast<unsigned>(text.size()), 0, scratch,
                           onMatch, &matched) == HS_SUCCESS;
  }
  for (size_t i = 0; i < group.rules.size(); ++i) {
    const CompiledRule& cr = rules_[group.rules[i]];
    Engine engine = cr.engine;
    if (!database_ran && (engine == Engine::Hyperscan || engine == Engine::HyperscanPrefilter))
      engine = cr.pcre ? Engine::Pcre : Engine::Disabled;
    bool hit = false;
    switch (engine) {
      case Engine::Hyperscan:
        hit = matched[i] != 0;
        break;
      case Engine::HyperscanPrefilter:
        hit = matched[i] != 0 && cr.pcre->matches(text);
        break;
      case Engine::Pcre:
        hit = cr.pcre->matches(text);
        break;
      default:
        continue;
    }
    int count = hit ? 1 : 0;
    if (hit && cr.rule.tflag_multiple && !cr.rule.negated && cr.pcre)
      count = std::max(1, cr.pcre->count(text, cr.rule.maxhits));
    if (cr.rule.negated) count = hit ? 0 : 1;
    counts[group.rules[i]] = count;
  }
}

ScanResult CompiledRules::scan(const ContentView& view, const ExternalSymbols& external,
                               bool explain) const {
  ScanResult result;
  std::vector<int> counts(rules_.size(), 0);
  hs_scratch_t* scratch =
      scratch_prototype_ ? threadScratch(generation_, scratch_prototype_.get()) : nullptr;
  std::vector<std::string> texts(explain ? groups_.size() : 0);
  for (size_t g = 0; g < groups_.size(); ++g) {
    std::string text = groupText(groups_[g], view);
    if (text.size() > options_.max_scan_bytes) {
      text.resize(options_.max_scan_bytes);
      result.truncated = true;
    }
    scanGroup(groups_[g], text, counts, scratch);
    if (explain) texts[g] = std::move(text);
  }
  for (size_t i = 0; i < rules_.size(); ++i) {
    const CompiledRule& cr = rules_[i];
    if (cr.engine == Engine::Exists) {
      counts[i] = headerExists(view, cr.rule.header) != cr.rule.negated ? 1 : 0;
    } else if (cr.engine == Engine::Eval) {
      counts[i] = cr.eval(view) ? 1 : 0;
    }
  }
  std::vector<double> values;
  for (size_t i : meta_order_) {
    const CompiledRule& cr = rules_[i];
    values.clear();
    const auto& names = cr.meta->operands();
    for (size_t k = 0; k < names.size(); ++k) {
      const int dep = cr.meta_operands[k];
      double v = dep >= 0 ? counts[dep] : 0;
      if (v == 0 && external && (dep < 0 || rules_[dep].engine == Engine::Disabled) &&
          external(names[k]))
        v = 1;
      values.push_back(v);
    }
    counts[i] = cr.meta->evaluate(values) != 0 ? 1 : 0;
  }
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (counts[i] == 0) continue;
    RuleHit hit{i, counts[i], std::nullopt};
    const CompiledRule& cr = rules_[i];
    if (explain && cr.group >= 0 && cr.pcre && !cr.rule.negated)
      hit.matched = cr.pcre->firstMatch(texts[cr.group]);
    result.hits.push_back(std::move(hit));
  }
  return result;
}

}  // namespace portcullis::content
