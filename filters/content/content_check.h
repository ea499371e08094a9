// The `content` check: SpamAssassin-language rules (rules/*.cf by default) matched against the
// parsed message on the worker pool, at the Message stage after the other message checks (a high
// priority) so that meta rules see their symbols (SPF_FAIL, ...). Each reported rule hit becomes a
// Symbol with the rule's name, its score under the score set, and its description, unless another
// check already reported a symbol of that name (whose score then stands alone).
//
// [checks.content] options (all optional):
//   rules = ["/path/dir", "/path/file.cf"]   rule files or directories (default: rules/)
//   score_set = 0..3       SpamAssassin score set; by default as SpamAssassin picks it: 0 without
//                          network tests or classifier, 1 with network tests (DNS lists, SPF,
//                          DKIM, DMARC), 2 with the classifier, 3 with both
//   trusted_networks, internal_networks, msa_networks = ["192.0.2.0/24", ...]   the relay
//                          model's trust, added to the rule files' settings
//   cache_dir = "..."      compiled-database cache (default: <state_dir>/content-cache)
//   max_scan_bytes = "2M"  each text is scanned up to this size
//   pcre_match_limit = 100000, pcre_depth_limit = 10000
//   language = "en"        which `lang xx` lines apply
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "filters/content/eval/site_services.h"
#include "filters/content/rule_engine.h"
#include "gateway/core/check.h"
#include "gateway/core/check_factory.h"

namespace portcullis::content {

class ContentCheck : public Check {
 public:
  ContentCheck(std::shared_ptr<RuleEngine> engine, asio::thread_pool& workers);
  std::string_view name() const override { return "content"; }
  Stage stage() const override { return Stage::Message; }
  int priority() const override { return kPriority; }
  awaitable<void> run(const Transaction& tx, Report& report) const override;

  // For reloads (SIGHUP) and tools: the engine behind the check.
  const std::shared_ptr<RuleEngine>& engine() const { return engine_; }

  static constexpr int kPriority = 100;  // after every other message check

 private:
  std::vector<Symbol> scanTransaction(const CompiledRules& rules, const Transaction& tx,
                                      const std::set<std::string>& present,
                                      const AuthResults& auth) const;

  std::shared_ptr<RuleEngine> engine_;
  asio::thread_pool& workers_;
  std::string local_host_;
};

// Symbols for the reported hits of one scan (score times the hit count for `tflags multiple`).
std::vector<Symbol> symbolsOf(const CompiledRules& rules, const ScanResult& result);

// The factory named "content" for gateway/cli/check_catalog.cc. `services` are the DNS lists and
// classifier the rest of the configuration runs: network evals answer from them, and they choose
// the score set unless `score_set` is given.
CheckFactory contentCheckFactory(SiteServices services = {});

}  // namespace portcullis::content
