#include "filters/dnsbl/dnsbl_check.h"

#include <set>

#include "filters/dnsbl/listing.h"
#include "gateway/base/text.h"
#include "gateway/dns/parallel_queries.h"
#include "gateway/mime/message.h"

namespace portcullis::dnsbl {

namespace {

// A HELO argument worth looking up: a dotted name, not an address literal.
bool isLookupDomain(std::string_view name) {
  return name.find('.') != std::string_view::npos && name.front() != '[' &&
         !dns::IpAddress::parse(name) && name.size() <= 253;
}

}  // namespace

awaitable<void> DnsListCheck::lookUp(std::vector<Lookup> lookups, std::string_view fail_symbol,
                                     Report& report) const {
  if (lookups.empty()) co_return;
  std::vector<dns::Question> questions;
  for (const auto& lookup : lookups) questions.push_back({lookup.name, dns::RrType::A});
  std::vector<dns::Answer> answers = co_await dns::queryAll(*context_->resolver, questions);

  std::vector<Listing> listings;
  std::set<std::string> failed;
  for (size_t i = 0; i < lookups.size(); ++i) {
    // Only timeouts and server failures are failures; a name DNS cannot carry is simply unlisted.
    if (answers[i].temporaryFailure()) {
      failed.insert(lookups[i].zone->zone);
      continue;
    }
    auto found = interpret(*lookups[i].zone, answers[i], lookups[i].subject);
    listings.insert(listings.end(), found.begin(), found.end());
  }
  dnsbl::report(listings, context_->settings, report);
  if (failed.empty()) co_return;
  std::string zones;
  for (const auto& zone : failed) zones += (zones.empty() ? "" : ", ") + zone;
  report.addSymbol({std::string(fail_symbol), 0, "lookup failed: " + zones});
  if (failMode() == FailMode::TempFail) {
    report.force({Action::TempFail, "DNS list lookup failed (" + zones + ")", "451", "4.4.3",
                  "Temporary DNS failure, please try again later"});
  }
}

awaitable<void> ClientAddressCheck::run(const Transaction& tx, Report& report) const {
  auto address = dns::IpAddress::parse(tx.client.address);
  if (!address || (context().settings.skip_local && address->isLocal())) co_return;
  std::vector<Lookup> lookups;
  for (const auto& zone : context().settings.zones) {
    if (zone.kind == ZoneKind::Ip)
      lookups.push_back({&zone, queryName(*address, zone), address->toString()});
  }
  co_await lookUp(std::move(lookups), "DNSBL_TEMPFAIL", report);
}

awaitable<void> SenderDomainCheck::run(const Transaction& tx, Report& report) const {
  std::string helo = toLower(tx.client.helo);
  while (!helo.empty() && helo.back() == '.') helo.pop_back();
  std::string sender = domainOf(tx.envelope.mail_from);
  std::vector<Lookup> lookups;
  for (const auto& zone : context().settings.zones) {
    if (zone.kind != ZoneKind::Domain) continue;
    std::set<std::string> subjects;
    if (zone.check_helo && isLookupDomain(helo)) subjects.insert(helo);
    if (zone.check_sender && isLookupDomain(sender)) subjects.insert(sender);
    for (const auto& subject : subjects)
      lookups.push_back({&zone, queryName(subject, zone), subject});
  }
  co_await lookUp(std::move(lookups), "RHSBL_TEMPFAIL", report);
}

awaitable<void> UriDomainCheck::run(const Transaction& tx, Report& report) const {
  if (!tx.parsed || !context().domains) co_return;
  auto subjects =
      context().domains->subjects(tx.parsed->uris(), context().settings.max_uri_lookups);
  std::vector<Lookup> lookups;
  for (const auto& zone : context().settings.zones) {
    if (zone.kind != ZoneKind::Uri) continue;
    for (const auto& subject : subjects) {
      if (subject.address) {
        lookups.push_back({&zone, queryName(*subject.address, zone), subject.address->toString()});
      } else {
        lookups.push_back({&zone, queryName(subject.domain, zone), subject.domain});
      }
    }
  }
  co_await lookUp(std::move(lookups), "URIBL_TEMPFAIL", report);
}

std::vector<std::shared_ptr<const Check>> makeDnsblChecks(DnsblSettings settings,
                                                          dns::Resolver& resolver) {
  auto context = std::make_shared<DnsblContext>();
  context->settings = std::move(settings);
  context->resolver = &resolver;
  if (context->settings.has(ZoneKind::Uri))
    context->domains = std::make_shared<RegisteredDomains>();
  std::vector<std::shared_ptr<const Check>> checks;
  if (context->settings.has(ZoneKind::Ip))
    checks.push_back(std::make_shared<ClientAddressCheck>(context));
  if (context->settings.has(ZoneKind::Domain))
    checks.push_back(std::make_shared<SenderDomainCheck>(context));
  if (context->settings.has(ZoneKind::Uri))
    checks.push_back(std::make_shared<UriDomainCheck>(context));
  return checks;
}

}  // namespace portcullis::dnsbl
