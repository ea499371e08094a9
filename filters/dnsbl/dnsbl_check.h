// The DNS list checks: client address against "ip" zones at connect (DNSBL/DNSWL), HELO name and
// sender domain against "domain" zones at MAIL FROM (RHSBL), and the domains and IP literals of
// the message's URIs against "uri" zones at end of DATA (URIBL). Lookups run concurrently. A
// lookup that times out or meets a server failure adds DNSBL_TEMPFAIL / RHSBL_TEMPFAIL /
// URIBL_TEMPFAIL (score 0, the zones in the detail) and, with fail_mode = "tempfail", a forced
// TempFail. Built by dnsblCheckFactory() (dnsbl_config.h) from `[checks.dnsbl]`.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "filters/dnsbl/dnsbl_config.h"
#include "filters/dnsbl/uri_hosts.h"
#include "gateway/core/check.h"
#include "gateway/dns/resolver.h"

namespace portcullis::dnsbl {

// What the three checks share: settings, the resolver and the public suffix list.
struct DnsblContext {
  DnsblSettings settings;
  dns::Resolver* resolver = nullptr;
  std::shared_ptr<const RegisteredDomains> domains;  // set when there are "uri" zones
};

// One lookup: a zone and the subject (address or domain) asked about.
struct Lookup {
  const Zone* zone = nullptr;
  std::string name;     // the query name
  std::string subject;  // for symbols and reject text
};

class DnsListCheck : public Check {
 public:
  explicit DnsListCheck(std::shared_ptr<const DnsblContext> context)
      : context_(std::move(context)) {}
  FailMode failMode() const override { return context_->settings.fail_mode; }

 protected:
  // Runs the lookups, adds the symbols and forced actions they mean.
  awaitable<void> lookUp(std::vector<Lookup> lookups, std::string_view fail_symbol,
                         Report& report) const;
  const DnsblContext& context() const { return *context_; }

 private:
  std::shared_ptr<const DnsblContext> context_;
};

class ClientAddressCheck : public DnsListCheck {
 public:
  using DnsListCheck::DnsListCheck;
  std::string_view name() const override { return "dnsbl"; }
  Stage stage() const override { return Stage::Connect; }
  awaitable<void> run(const Transaction& tx, Report& report) const override;
};

class SenderDomainCheck : public DnsListCheck {
 public:
  using DnsListCheck::DnsListCheck;
  std::string_view name() const override { return "rhsbl"; }
  Stage stage() const override { return Stage::MailFrom; }
  awaitable<void> run(const Transaction& tx, Report& report) const override;
};

class UriDomainCheck : public DnsListCheck {
 public:
  using DnsListCheck::DnsListCheck;
  std::string_view name() const override { return "uribl"; }
  Stage stage() const override { return Stage::Message; }
  awaitable<void> run(const Transaction& tx, Report& report) const override;
};

// The checks for `settings` (used by the factory and by tests).
std::vector<std::shared_ptr<const Check>> makeDnsblChecks(DnsblSettings settings,
                                                          dns::Resolver& resolver);

}  // namespace portcullis::dnsbl
