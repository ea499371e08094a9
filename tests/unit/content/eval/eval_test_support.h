// Runs eval rules on whole messages, as the content check does: a rule file's text is compiled,
// a raw message is parsed by gateway/mime and scanned, with an optional first-hand client and
// envelope (what the SMTP session knows) and symbols of other checks.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "filters/content/compiled_rules.h"
#include "filters/content/message_view.h"
#include "filters/content/rule_parser.h"
#include "gateway/mime/message.h"

namespace portcullis::content::testing {

inline std::shared_ptr<const CompiledRules> compileText(std::string_view rules,
                                                        CompileOptions options = {}) {
  RuleParser parser;
  parser.addText(rules, "test.cf");
  RuleSet set = parser.finish();
  return compileRules(set, options);
}

// Why a rule of `rules` is disabled, or "" when it runs.
inline std::string disabledReason(const CompiledRules& rules, const std::string& name) {
  auto index = rules.find(name);
  return index ? rules.rules()[*index].disabled_reason : "no such rule";
}

struct Scanned {
  std::map<std::string, std::string> hits;  // rule name -> evidence (or matched text)
  bool hit(const std::string& name) const { return hits.count(name) > 0; }
};

struct ScanInput {
  std::string raw;                        // the message, LF or CRLF line ends
  std::optional<FirstHandClient> client;  // what the SMTP session saw
  std::optional<std::string> envelope_from;
  std::vector<std::string> recipients;
  const AuthResults* auth = nullptr;
  std::set<std::string> external;  // symbols of other checks
};

inline Scanned scanWith(const CompiledRules& rules, const ScanInput& input) {
  const mime::Message message = mime::Message::parse(input.raw);
  ContentView view = viewOfMessage(message);
  view.client = input.client;
  view.envelope_from = input.envelope_from;
  view.recipients = input.recipients;
  view.auth = input.auth;
  const ExternalSymbols external = [&input](const std::string& name) {
    return input.external.count(name) > 0;
  };
  Scanned out;
  for (const auto& hit : rules.scan(view, external, true).hits)
    out.hits[rules.rules()[hit.rule].rule.name] = hit.evidence.value_or(hit.matched.value_or(""));
  return out;
}

inline Scanned scanWith(const CompiledRules& rules, std::string raw) {
  ScanInput input;
  input.raw = std::move(raw);
  return scanWith(rules, input);
}

}  // namespace portcullis::content::testing
