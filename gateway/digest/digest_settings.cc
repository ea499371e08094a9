#include "gateway/digest/digest_settings.h"

#include <algorithm>

#include "gateway/base/text.h"

namespace portcullis::digest {

std::optional<DigestSettings> loadDigestSettings(const config::GatewayConfig& config) {
  auto quarantine = quarantine::loadQuarantineConfig(config.document);
  if (!quarantine.digest || !quarantine.digest->enabled) return std::nullopt;
  config::Section root = config.document.root();
  config::Section table = *root.sub("quarantine")->sub("digest");
  auto web = web::loadWebConfig(config);
  if (!web) {
    table.fail("enabled",
               "[quarantine.digest] needs a [web] table: the digest links to the web console");
  }
  if (config.relay.mode != config::RelayMode::Spool) {
    table.fail("enabled",
               "[quarantine.digest] needs relay.mode = \"spool\": digests are queued and "
               "retried like every message the gateway sends itself");
  }
  if (web->public_url.empty() && web->port == 0) {
    table.fail("enabled",
               "[quarantine.digest] needs [web] public_url when [web] listen has no "
               "fixed port: the links must reach the console");
  }
  DigestSettings s{*quarantine.digest, quarantine.directory, *web, {}, {}, {}, {}};
  const auto& local = config.domains.local;
  for (const auto& d : s.digest.domains) {
    bool is_local = std::any_of(local.begin(), local.end(),
                                [&d](const std::string& l) { return iequals(l, d); });
    if (!is_local) table.fail("domains", "\"" + d + "\" is not one of domains.local");
    s.domains.insert(d);
  }
  if (s.domains.empty()) {
    for (const auto& d : local) s.domains.insert(toLower(d));
  }
  s.hostname = config.server.hostname;
  s.sender = s.digest.sender.empty() ? "postmaster@" + s.hostname : s.digest.sender;
  if (!quarantine::isPlainAddress(s.sender)) {
    table.fail("sender",
               "the default postmaster@" + s.hostname + " is not a plain address; set sender");
  }
  s.layout = DigestTemplate::load(s.digest.template_directory / (s.digest.language + ".txt"));
  return s;
}

}  // namespace portcullis::digest
