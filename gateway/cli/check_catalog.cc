#include "gateway/cli/check_catalog.h"

#include "filters/attachments/attachments_factory.h"
#include "filters/clamav/clamav_factory.h"
#include "filters/content/content_check.h"
#include "filters/dkim/dkim_config.h"
#include "filters/dmarc/dmarc_config.h"
#include "filters/dnsbl/dnsbl_checks.h"
#include "filters/spf/spf_check.h"
#include "gateway/config/section.h"

namespace portcullis::cli {

const std::vector<CheckFactory>& checkCatalog() {
  static const std::vector<CheckFactory> catalog = {
      attachments::attachmentsCheckFactory(),
      clamav::clamavCheckFactory(),
      content::contentCheckFactory(),
      dkim::dkimCheckFactory(),
      dmarc::dmarcCheckFactory(),
      dnsbl::dnsblCheckFactory(),
      spf::spfCheckFactory(),
  };
  return catalog;
}

std::vector<std::shared_ptr<const Check>> buildChecks(const config::Document& doc,
                                                      const CheckDeps& deps) {
  std::vector<std::shared_ptr<const Check>> checks;
  config::Section root = doc.root();
  auto section = root.sub("checks");
  if (!section) return checks;
  for (const auto& name : section->keys()) {
    const CheckFactory* factory = nullptr;
    for (const auto& f : checkCatalog()) {
      if (f.name == name) factory = &f;
    }
    if (!factory) {
      std::string known;
      for (const auto& f : checkCatalog()) known += (known.empty() ? "" : ", ") + f.name;
      section->fail(name, "no such check (known: " + (known.empty() ? "none" : known) + ")");
    }
    auto table = section->sub(name);
    auto built = factory->build(*table, deps);
    table->finish();
    checks.insert(checks.end(), built.begin(), built.end());
  }
  return checks;
}

}  // namespace portcullis::cli
