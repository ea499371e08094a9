// Scanning one message with CompiledRules. SpamAssassin tests body and rawbody rules a line (a
// paragraph) at a time and uri rules one URI at a time; header and full rules see their whole
// text. Each group's text is built once, joined by newlines, and scanned once by its Hyperscan
// database; a hit is then settled on the pieces, so that no match spans two of them: an exact hit
// is confirmed by PCRE2 on the piece where Hyperscan's first match ended (all pieces only when that
// fails), a prefilter hit on every piece until one matches, and `multiple` rules are counted
// piece by piece. Then exists and eval tests; then meta rules in dependency order.
#include <algorithm>

#include "filters/content/compiled_rules.h"
#include "gateway/core/text.h"

namespace portcullis::content {
namespace {

// The match ends Hyperscan reported, at most one per rule and database (single-match patterns).
struct MatchEnds {
  std::vector<std::pair<unsigned, unsigned long long>> hits;  // (position in group, end offset)
};

int onMatch(unsigned id, unsigned long long, unsigned long long to, unsigned, void* context) {
  static_cast<MatchEnds*>(context)->hits.emplace_back(id, to);
  return 0;
}

// Whether rules of this type see their text piece by piece (see the top).
bool pieceWise(RuleType type) {
  return type == RuleType::Body || type == RuleType::RawBody || type == RuleType::Uri;
}

// The pieces of a group's text that rules are matched against one by one. Body and rawbody
// pieces keep their newline, as SpamAssassin's paragraphs do; URIs do not.
std::vector<std::string_view> piecesOf(RuleType type, std::string_view text) {
  std::vector<std::string_view> pieces;
  if (!pieceWise(type)) {
    pieces.push_back(text);
    return pieces;
  }
  const bool keep_newline = type != RuleType::Uri;
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    const size_t end = eol == std::string_view::npos ? text.size() : eol + 1;
    pieces.push_back(text.substr(0, keep_newline || eol == std::string_view::npos ? end : eol));
    text.remove_prefix(end);
  }
  return pieces;
}

// The piece holding byte `offset` of `text`, which `pieces` were cut from.
std::string_view pieceAt(const std::vector<std::string_view>& pieces, std::string_view text,
                         size_t offset) {
  auto after = std::upper_bound(pieces.begin(), pieces.end(), offset,
                                [&text](size_t off, std::string_view piece) {
                                  return off < static_cast<size_t>(piece.data() - text.data());
                                });
  return after == pieces.begin() ? std::string_view{} : *(after - 1);
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
  // The pseudo-headers that stand for several real ones.
  if (iequals(name, "ToCc")) return headerExists(view, "To") || headerExists(view, "Cc");
  if (name == "MESSAGEID") {
    for (const char* h :
         {"X-Message-Id", "Resent-Message-Id", "X-Original-Message-ID", "Message-Id"}) {
      if (headerExists(view, h)) return true;
    }
    return false;
  }
  if (std::any_of(view.pseudo_headers.begin(), view.pseudo_headers.end(),
                  [&](const auto& p) { return iequals(p.first, name); }))
    return true;
  return std::any_of(view.headers.begin(), view.headers.end(),
                     [&](const ViewHeader& h) { return iequals(h.name, name); });
}

}  // namespace

void CompiledRules::scanGroup(const TextGroup& group, std::string_view text,
                              std::vector<int>& counts, hs_scratch_t* scratch) const {
  MatchEnds matches;
  bool database_ran = scratch != nullptr;
  for (const auto& db : group.databases) {
    if (!database_ran) break;
    database_ran = hs_scan(db.get(), text.data(), static_cast<unsigned>(text.size()), 0, scratch,
                           onMatch, &matches) == HS_SUCCESS;
  }
  constexpr unsigned long long kNoMatch = ~0ull;
  std::vector<unsigned long long> first_end(group.rules.size(), kNoMatch);
  for (const auto& [id, to] : matches.hits) first_end[id] = std::min(first_end[id], to);
  const bool piece_wise = pieceWise(group.type);
  std::vector<std::string_view> pieces;  // cut on first need
  const auto cut = [&]() -> const std::vector<std::string_view>& {
    if (pieces.empty()) pieces = piecesOf(group.type, text);
    return pieces;
  };
  for (size_t i = 0; i < group.rules.size(); ++i) {
    const CompiledRule& cr = rules_[group.rules[i]];
    Engine engine = cr.engine;
    if (!database_ran && (engine == Engine::Hyperscan || engine == Engine::HyperscanPrefilter))
      engine = cr.pcre ? Engine::Pcre : Engine::Disabled;
    if (engine == Engine::Disabled) continue;
    const bool hyperscan_hit = first_end[i] != kNoMatch;
    // Exact Hyperscan hits stand as they are where there is nothing to settle.
    const bool exact = engine == Engine::Hyperscan && (!piece_wise || !cr.pcre);
    int count = 0;
    if (engine != Engine::Pcre && !hyperscan_hit) {
      count = 0;
    } else if (cr.rule.tflag_multiple && !cr.rule.negated && cr.pcre) {
      for (std::string_view piece : cut()) {
        count += cr.pcre->count(piece, cr.rule.maxhits ? cr.rule.maxhits - count : 0);
        if (cr.rule.maxhits && count >= cr.rule.maxhits) break;
      }
      if (exact) count = std::max(1, count);
    } else if (exact) {
      count = 1;
    } else {
      const auto matchesOn = [&cr](std::string_view piece) { return cr.pcre->matches(piece); };
      const bool at_first_end =
          engine == Engine::Hyperscan &&
          matchesOn(pieceAt(cut(), text, first_end[i] ? first_end[i] - 1 : 0));
      count = at_first_end || std::any_of(cut().begin(), cut().end(), matchesOn);
    }
    if (cr.rule.negated) count = count ? 0 : 1;
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
    if (explain && cr.group >= 0 && cr.pcre && !cr.rule.negated) {
      for (std::string_view piece : piecesOf(groups_[cr.group].type, texts[cr.group])) {
        if ((hit.matched = cr.pcre->firstMatch(piece))) break;
      }
    }
    result.hits.push_back(std::move(hit));
  }
  return result;
}

}  // namespace portcullis::content
