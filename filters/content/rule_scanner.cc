// Scanning one message with CompiledRules. SpamAssassin tests body and rawbody rules a line (a
// paragraph) at a time and uri rules one URI at a time; header and full rules see their whole
// text. Each group's text is built once, joined by newlines, and scanned once by its Hyperscan
// database. A rule's result is then settled on demand and remembered: an exact Hyperscan hit on
// whole text stands as it is; otherwise the hit is settled on the pieces so that no match spans
// two of them (on the piece where Hyperscan's first match ended, all pieces only when that fails;
// a prefilter or PCRE2-only rule on every piece until one matches; `multiple` rules counted piece
// by piece), by PCRE2, or by RE2 for a long pattern on text where the two agree (re2_pattern.h). A
// plain text (pattern_rewrite.h) is scanned by the group's plain-text database when it has one,
// and so are the plain pieces of a text that is not plain as a whole.
// Meta rules ask for their operands as they evaluate, and `&&`/`||` short-circuit, so a sub-rule
// no verdict depends on is never settled at all; a scan for the verdict leaves out the groups of
// rules that no verdict can depend on (compiled_rules.h), and reads only the reported rules that
// can count: those Hyperscan hit, and those it does not settle.
#include <algorithm>
#include <optional>

#include "filters/content/compiled_rules.h"
#include "filters/content/eval/message_facts.h"
#include "filters/content/pattern_rewrite.h"
#include "filters/content/text_parts.h"
#include "gateway/core/text.h"

namespace portcullis::content {
namespace {

// The pieces of a group's text that rules are matched against one by one. Body and rawbody
// pieces keep their newline, as SpamAssassin's paragraphs do; URIs do not.
std::vector<std::string_view> piecesOf(RuleType type, std::string_view text) {
  std::vector<std::string_view> pieces;
  if (!readInPieces(type)) {
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

// The first of `pieces` (cut from `text`, in order) that can hold a match ending at or after byte
// `offset` of `text`: the piece holding that byte, or the one before it when the byte lies
// between pieces.
std::vector<std::string_view>::const_iterator firstPieceFrom(
    const std::vector<std::string_view>& pieces, std::string_view text, size_t offset) {
  auto after = std::upper_bound(pieces.begin(), pieces.end(), offset,
                                [&text](size_t off, std::string_view piece) {
                                  return off < static_cast<size_t>(piece.data() - text.data());
                                });
  return after == pieces.begin() ? after : after - 1;
}

// The text a group's rules read: in the view where it is there as it is, else built in `built`.
std::string_view groupText(const CompiledRules::TextGroup& group, const ContentView& view,
                           MessageFacts& facts, std::string& built) {
  switch (group.type) {
    case RuleType::Header:
      if (auto pseudo = facts.pseudoHeader(group.header)) {
        built = std::move(*pseudo) + "\n";
      } else if (auto value = headerText(view, group.header, group.form)) {
        built = std::move(*value);
      } else {
        built = group.if_unset.value_or("");
      }
      break;
    case RuleType::MimeHeader:
      for (const auto& part : view.parts) {
        if (auto value = partHeaderText(part, group.header, group.form)) built += *value;
      }
      if (built.empty() && group.if_unset) built = *group.if_unset;
      break;
    case RuleType::Body:
      return view.body;
    case RuleType::RawBody:
      return view.rawbody;
    case RuleType::Full:
      return view.full;
    case RuleType::Uri:
      for (std::string_view uri : view.uris) built.append(uri).append("\n");
      break;
    case RuleType::Meta:
      break;
  }
  return built;
}

bool headerExists(const ContentView& view, const std::string& name) {
  if (MessageFacts::isPseudoHeader(name)) return true;
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

// The state of one message's scan: the group texts, Hyperscan's first match end per rule, and
// every rule's result once settled.
class MessageScan {
 public:
  MessageScan(const CompiledRules& rules, const ContentView& view, const ExternalSymbols& external,
              bool explain)
      : rules_(rules.rules_),
        briefs_(rules.briefs_),
        verdict_settles_(rules.verdict_settles_),
        meta_programs_(rules.meta_programs_),
        external_operands_(rules.external_operands_),
        groups_(rules.groups_),
        view_(view),
        external_(external),
        facts_(view, rules.trust_),
        max_scan_bytes_(rules.options_.max_scan_bytes),
        first_end_(rules_.size(), kNoMatch),
        counts_(rules_.size(), kUnsettled),
        texts_(groups_.size()),
        evidence_(explain ? rules_.size() : 0) {}

  // Builds every group's text and runs its databases (no scratch: Hyperscan is unavailable). For
  // a verdict, groups no verdict depends on are left out: none of their rules is ever asked for.
  void runDatabases(hs_scratch_t* scratch, ScanDepth depth) {
    for (size_t g = 0; g < groups_.size(); ++g) {
      if (depth == ScanDepth::Verdict && !groups_[g].verdict) continue;
      GroupText& text = texts_[g];
      text.text = groupText(groups_[g], view_, facts_, text.owned);
      if (text.text.size() > max_scan_bytes_) {
        text.text = text.text.substr(0, max_scan_bytes_);
        truncated_ = true;
      }
      text.database_ran = scratch != nullptr;
      if (!text.database_ran) {
        every_database_ran_ = false;
        continue;
      }
      const TextGroup& group = groups_[g];
      const bool plain = !group.plain_databases.empty() && isPlainText(text.text);
      if (plain || !group.scanned_in_parts) {
        scan(g, plain ? group.plain_databases : group.databases, text.text, scratch, nullptr);
      } else {
        const TextParts parts(text.text);
        scan(g, group.plain_databases, parts.plain.text, scratch, &parts.plain);
        scan(g, group.databases, parts.other.text, scratch, &parts.other);
      }
      every_database_ran_ = every_database_ran_ && text.database_ran;
    }
  }

  // Settles what a verdict needs: every reported rule, or (when every database it needs ran)
  // only those a Hyperscan hit or no hit at all can make count, leaving the un-negated Hyperscan
  // rules without a hit at 0 unread.
  void settleReported() {
    if (!every_database_ran_) {
      for (size_t i = 0; i < rules_.size(); ++i) {
        if (briefs_[i].reported) settle(i);
      }
      return;
    }
    for (const uint32_t i : verdict_settles_) settle(i);
    for (const uint32_t i : matched_) {
      if (briefs_[i].reported) settle(i);
    }
  }

  void settleEvery() {
    for (size_t i = 0; i < rules_.size(); ++i) settle(i);
  }

  // The rules settled so far with a count, in rule order.
  std::vector<uint32_t> counted() const {
    std::vector<uint32_t> rules = counted_;
    std::sort(rules.begin(), rules.end());
    return rules;
  }

  // The rule's hit count (meta rules: 1 or 0), settled now if it was not yet.
  int settle(size_t i) {
    if (counts_[i] != kUnsettled) return counts_[i];
    counts_[i] = 0;  // also what a dependency loop would read; the compiler disables those
    const int count = countOf(i);
    counts_[i] = count;
    if (count != 0) counted_.push_back(static_cast<uint32_t>(i));
    return count;
  }

  // Why an eval rule hit, when explaining.
  std::optional<std::string> evidenceOf(size_t i) const {
    if (evidence_.empty() || evidence_[i].empty()) return std::nullopt;
    return evidence_[i];
  }
  bool truncated() const { return truncated_; }
  // The pieces of a group's text, for showing what a rule matched.
  const std::vector<std::string_view>& pieces(size_t group) {
    GroupText& text = texts_[group];
    if (!text.cut) {
      text.pieces = piecesOf(groups_[group].type, text.text);
      text.cut = true;
    }
    return text.pieces;
  }

 private:
  using CompiledRule = CompiledRules::CompiledRule;
  using TextGroup = CompiledRules::TextGroup;
  static constexpr unsigned long long kNoMatch = ~0ull;
  static constexpr int kUnsettled = -1;

  struct GroupText {
    std::string owned;      // the text when it had to be built
    std::string_view text;  // what the databases scanned
    bool database_ran = false;
    std::optional<bool> re2_agrees;  // see Re2Pattern::agreeOn; known on first need
    bool cut = false;
    std::vector<std::string_view> pieces;
  };

  static int onMatch(unsigned position, unsigned long long, unsigned long long to, unsigned,
                     void* context) {
    static_cast<std::vector<std::pair<unsigned, unsigned long long>>*>(context)->emplace_back(
        position, to);
    return 0;
  }

  // Runs `databases` over `text`, group g's text or (`part` given) a part of it, and keeps each
  // rule's first match end in the group's text.
  void scan(size_t g, const std::vector<HsDatabase>& databases, std::string_view text,
            hs_scratch_t* scratch, const TextParts::Part* part) {
    if (part && text.empty()) return;  // no pieces of its kind
    std::vector<std::pair<unsigned, unsigned long long>> hits;
    for (const auto& db : databases) {
      if (!texts_[g].database_ran) break;
      texts_[g].database_ran = hs_scan(db.get(), text.data(), static_cast<unsigned>(text.size()), 0,
                                       scratch, onMatch, &hits) == HS_SUCCESS;
    }
    for (const auto& [position, end] : hits) {
      const size_t rule = groups_[g].rules[position];
      auto& first = first_end_[rule];
      if (first == kNoMatch) matched_.push_back(static_cast<uint32_t>(rule));
      first = std::min<unsigned long long>(first, part ? part->inText(end) : end);
    }
  }

  // Rule i's count, read from its brief when Hyperscan settled it (most rules: no hit), else
  // from its engine.
  int countOf(size_t i) {
    const CompiledRules::RuleBrief& brief = briefs_[i];
    if ((brief.engine == Engine::Hyperscan || brief.engine == Engine::HyperscanPrefilter) &&
        first_end_[i] == kNoMatch && texts_[brief.group].database_ran)
      return brief.negated ? 1 : 0;
    if (brief.engine == Engine::Meta) return metaValue(brief.meta_program) != 0 ? 1 : 0;
    const CompiledRule& cr = rules_[i];
    int count = 0;
    switch (cr.engine) {
      case Engine::Hyperscan:
      case Engine::HyperscanPrefilter:
      case Engine::Pcre:
        count = matchCount(cr, i);
        break;
      case Engine::Exists:
        count = headerExists(view_, cr.rule.header) != cr.rule.negated ? 1 : 0;
        break;
      case Engine::Eval:
        count = cr.eval(EvalInput{view_, facts_, external_}, evidence(i)) ? 1 : 0;
        break;
      case Engine::Meta:
      case Engine::Disabled:
        break;
    }
    return count;
  }

  std::string* evidence(size_t i) { return evidence_.empty() ? nullptr : &evidence_[i]; }

  bool re2AgreesOn(size_t group) {
    GroupText& text = texts_[group];
    if (!text.re2_agrees) text.re2_agrees = Re2Pattern::agreeOn(text.text);
    return *text.re2_agrees;
  }

  int matchCount(const CompiledRule& cr, size_t i) {
    const TextGroup& group = groups_[cr.group];
    const GroupText& text = texts_[cr.group];
    Engine engine = cr.engine;
    if (!text.database_ran && engine != Engine::Pcre)
      engine = cr.pcre ? Engine::Pcre : Engine::Disabled;
    if (engine == Engine::Disabled) return 0;
    // A Hyperscan rule without a hit never gets here: settle() answers it from its brief.
    // Exact Hyperscan hits stand as they are where there is nothing to settle.
    const bool exact = engine == Engine::Hyperscan && (!readInPieces(group.type) || !cr.pcre);
    int count = 0;
    if (cr.rule.tflag_multiple && !cr.rule.negated && cr.pcre) {
      for (std::string_view piece : pieces(cr.group)) {
        count += cr.pcre->count(piece, cr.rule.maxhits ? cr.rule.maxhits - count : 0);
        if (cr.rule.maxhits && count >= cr.rule.maxhits) break;
      }
      if (exact) count = std::max(1, count);
    } else if (exact) {
      count = 1;
    } else {
      const auto& all = pieces(cr.group);
      const bool use_re2 = cr.re2 && re2AgreesOn(cr.group);
      const auto matchesOn = [&cr, use_re2](std::string_view piece) {
        if (!use_re2) return cr.pcre->matches(piece);
        return cr.re2->matches(piece) && (cr.re2->exact() || cr.pcre->matches(piece));
      };
      // Hyperscan's pattern matches wherever the rule does (its edges dropped, or a prefilter),
      // and Hyperscan reported the earliest end of a match of it: no piece before the one
      // holding that end can hold a match of the rule.
      const auto from = first_end_[i] == kNoMatch
                            ? all.begin()
                            : firstPieceFrom(all, text.text, first_end_[i] ? first_end_[i] - 1 : 0);
      count = std::any_of(from, all.end(), matchesOn);
    }
    return cr.rule.negated ? (count ? 0 : 1) : count;
  }

  double metaValue(uint32_t program) {
    return meta_programs_.evaluate(program, [this](uint32_t id) -> double {
      if (!(id & CompiledRules::kExternalOperand)) return settle(id);
      return external_ && external_(external_operands_[id & ~CompiledRules::kExternalOperand]);
    });
  }

  const std::vector<CompiledRule>& rules_;
  const std::vector<CompiledRules::RuleBrief>& briefs_;
  const std::vector<uint32_t>& verdict_settles_;
  const PackedMetaPrograms& meta_programs_;
  const std::vector<std::string>& external_operands_;
  const std::vector<TextGroup>& groups_;
  const ContentView& view_;
  const ExternalSymbols& external_;
  MessageFacts facts_;
  const size_t max_scan_bytes_;
  std::vector<unsigned long long> first_end_;  // per rule: where Hyperscan's first match ended
  std::vector<int> counts_;                    // per rule: kUnsettled until settled
  std::vector<GroupText> texts_;               // per group
  std::vector<std::string> evidence_;          // per rule when explaining, else empty
  std::vector<uint32_t> matched_;              // rules with a Hyperscan hit, in no order
  std::vector<uint32_t> counted_;              // rules settled with a count, in no order
  bool every_database_ran_ = true;
  bool truncated_ = false;
};

ScanResult CompiledRules::scan(const ContentView& view, const ExternalSymbols& external,
                               bool explain, ScanDepth depth) const {
  MessageScan message(*this, view, external, explain);
  message.runDatabases(
      scratch_prototype_ ? threadScratch(generation_, scratch_prototype_.get()) : nullptr, depth);
  if (depth == ScanDepth::Every) {
    message.settleEvery();
  } else {
    message.settleReported();
  }
  ScanResult result;
  result.truncated = message.truncated();
  for (const uint32_t i : message.counted()) {
    RuleHit hit{i, message.settle(i), std::nullopt, std::nullopt};
    const CompiledRule& cr = rules_[i];
    if (explain && cr.engine == Engine::Eval) hit.evidence = message.evidenceOf(i);
    if (explain && cr.group >= 0 && cr.pcre && !cr.rule.negated) {
      for (std::string_view piece : message.pieces(static_cast<size_t>(cr.group))) {
        if ((hit.matched = cr.pcre->firstMatch(piece))) break;
      }
    }
    result.hits.push_back(std::move(hit));
  }
  return result;
}

}  // namespace portcullis::content
