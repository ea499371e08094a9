#include "gateway/cli/check_catalog.h"

#include "filters/attachments/attachments_config.h"
#include "filters/clamav/clamav_config.h"
#include "filters/content/content_config.h"
#include "filters/dkim/dkim_config.h"
#include "filters/dmarc/dmarc_config.h"
#include "filters/dnsbl/dnsbl_config.h"
#include "filters/learning/learning_config.h"
#include "filters/spf/spf_config.h"
#include "gateway/base/text.h"
#include "gateway/config/gateway_config.h"
#include "gateway/config/section.h"

namespace portcullis::cli {

const std::vector<CheckFactory>& checkCatalog() {
  static const std::vector<CheckFactory> catalog = {
      attachments::attachmentsCheckFactory(),
      clamav::clamavCheckFactory(),
      learning::classifierCheckFactory(nullptr),
      content::contentCheckFactory(),
      dkim::dkimCheckFactory(),
      dmarc::dmarcCheckFactory(),
      dnsbl::dnsblCheckFactory(),
      spf::spfCheckFactory(),
  };
  return catalog;
}

content::SiteServices configuredServices(const config::Document& doc) {
  content::SiteServices services;
  config::Section root = doc.root();
  auto checks = root.sub("checks");
  if (!checks) return services;
  for (const char* name : {"spf", "dkim", "dmarc", "dnsbl"})
    services.network_checks = services.network_checks || checks->sub(name).has_value();
  auto section = checks->sub("dnsbl");
  if (!section) return services;
  for (const auto& zone : dnsbl::readDnsblSettings(*section).zones) {
    content::DnsList list;
    list.zone = toLower(zone.zone);
    while (!list.zone.empty() && list.zone.back() == '.') list.zone.pop_back();
    list.kind = zone.kind == dnsbl::ZoneKind::Ip       ? content::DnsList::Kind::Ip
                : zone.kind == dnsbl::ZoneKind::Domain ? content::DnsList::Kind::Domain
                                                       : content::DnsList::Kind::Uri;
    list.symbol = zone.symbol;
    list.check_sender = zone.check_sender;
    for (const auto& code : zone.codes) {
      content::DnsListCode c;
      for (const auto& address : code.addresses) c.addresses.push_back(address.toString());
      c.mask = code.mask;
      c.symbol = code.symbol;
      list.codes.push_back(std::move(c));
    }
    services.dns_lists.push_back(std::move(list));
  }
  return services;
}

std::filesystem::path spoolDirectory(const config::Document& doc) {
  config::Section root = doc.root();
  auto queue = root.sub("queue");
  const std::string fallback = config::QueueConfig{}.directory.string();
  return queue ? queue->getString("directory", fallback) : fallback;
}

std::vector<std::shared_ptr<const Check>> buildChecks(const config::Document& doc,
                                                      const CheckDeps& deps) {
  std::vector<std::shared_ptr<const Check>> checks;
  config::Section root = doc.root();
  auto section = root.sub("checks");
  if (!section) return checks;
  // The content check's network evals and score set follow the other checks' configuration.
  // Without a resolver (`portcullis scan`) the DNS list check runs no lookups.
  content::SiteServices services =
      deps.resolver ? configuredServices(doc) : content::SiteServices{};
  // The classifier's store, opened once: the content check classifies and autolearns with it,
  // the classifier check learns reports with it. Offline tools never create it.
  auto classifier =
      learning::openConfiguredStore(doc, spoolDirectory(doc), deps.resolver != nullptr);
  if (classifier) {
    services.classifier = learning::observedClassifier(classifier->store, classifier->config,
                                                       deps.events, LearnSource::Autolearn);
    services.autolearn = classifier->config.autolearn;
  }
  const CheckFactory content = content::contentCheckFactory(services);
  const CheckFactory reports =
      learning::classifierCheckFactory(classifier ? classifier->store : nullptr);
  for (const auto& name : section->keys()) {
    const CheckFactory* factory = nullptr;
    for (const auto& f : checkCatalog()) {
      if (f.name == name) factory = &f;
    }
    if (name == "content") factory = &content;
    if (name == "classifier") factory = &reports;
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
