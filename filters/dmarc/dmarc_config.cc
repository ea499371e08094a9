#include "filters/dmarc/dmarc_config.h"

#include "filters/dkim/dkim_config.h"
#include "gateway/config/section.h"
#include "gateway/core/text.h"

namespace portcullis::dmarc {

namespace {

const std::vector<std::string> kActions = {"reject", "quarantine", "tag", "none"};

FailureActions parseActions(config::Section& section, const FailureActions& fallback) {
  FailureActions actions;
  actions.on_reject = section.getChoice("on_reject", fallback.on_reject, kActions);
  actions.on_quarantine = section.getChoice("on_quarantine", fallback.on_quarantine, kActions);
  return actions;
}

}  // namespace

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
  options.scores = dkim::parseScores(section, defaultScores());
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
