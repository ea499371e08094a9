#include "filters/dmarc/dmarc_config.h"

#include "filters/dmarc/dmarc_check.h"
#include "gateway/base/text.h"
#include "gateway/config/section.h"

namespace portcullis::dmarc {

namespace {

FailureAction readAction(config::Section& section, const std::string& key, FailureAction fallback) {
  return section.choice<FailureAction>(key, fallback,
                                       {{"reject", FailureAction::Reject},
                                        {"quarantine", FailureAction::Quarantine},
                                        {"tag", FailureAction::Tag},
                                        {"none", FailureAction::None}});
}

FailureActions parseActions(config::Section& section, const FailureActions& fallback) {
  FailureActions actions;
  actions.on_reject = readAction(section, "on_reject", fallback.on_reject);
  actions.on_quarantine = readAction(section, "on_quarantine", fallback.on_quarantine);
  return actions;
}

}  // namespace

config::SymbolScores defaultScores() {
  return config::SymbolScores({
      {"DMARC_PASS", -0.5},
      {"DMARC_FAIL_REJECT", 2.0},
      {"DMARC_FAIL_QUARANTINE", 1.5},
      {"DMARC_FAIL_NONE", 0.1},
      {"DMARC_NONE", 0.0},
      {"DMARC_TEMPERROR", 0.0},
      {"DMARC_PERMERROR", 0.0},
      {"DMARC_NO_FROM", 1.0},
      {"DMARC_MULTIPLE_FROM", 1.0},
  });
}

DmarcOptions parseDmarcOptions(config::Section& section) {
  DmarcOptions options;
  options.actions = parseActions(section, FailureActions{});
  if (auto domains = section.sub("domains")) {
    for (const auto& domain : domains->keys()) {
      auto table = domains->sub(domain);
      if (!table) domains->fail(domain, "expected a table");
      options.domain_actions[normalizeDomain(domain)] = parseActions(*table, options.actions);
      table->finish();
    }
    domains->finish();
  }
  std::string psl_file = section.getString("psl_file", "");
  options.org = psl_file.empty() ? OrganizationalDomains::latest()
                                 : OrganizationalDomains::fromFile(psl_file);
  if (!options.org) section.fail("psl_file", "cannot load the Public Suffix List");
  options.max_author_domains = static_cast<size_t>(section.getInt("max_author_domains", 4, 1, 32));
  if (section.has("random_seed")) {
    options.random_seed = static_cast<uint64_t>(section.getInt("random_seed", 0, 0, INT64_MAX));
  }
  options.scores.readTable(section, "scores");
  return options;
}

CheckFactory dmarcCheckFactory() {
  return {"dmarc", [](config::Section& section, const CheckDeps& deps) {
            std::vector<std::shared_ptr<const Check>> checks;
            bool enabled = section.getBool("enabled", true);
            DmarcOptions options = parseDmarcOptions(section);
            section.finish();
            if (enabled)
              checks.push_back(std::make_shared<DmarcCheck>(std::move(options), deps.resolver));
            return checks;
          }};
}

}  // namespace portcullis::dmarc
