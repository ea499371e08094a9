// Everything a digest run needs, checked once from the configuration: [quarantine.digest] with
// its template loaded, the [web] console it links to, the local domains it writes to and the
// sender. Refused, naming file:line: a digest without a [web] table (there is nothing to link
// to), in relay.mode = "proxy" (there is no queue to send through: a digest, like a release, is
// a message the gateway itself originates and must be retried until delivered), and domains that
// are not among domains.local.
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>

#include "gateway/config/gateway_config.h"
#include "gateway/digest/digest_template.h"
#include "gateway/quarantine/quarantine_config.h"
#include "gateway/web/web_config.h"

namespace portcullis::digest {

struct DigestSettings {
  quarantine::DigestConfig digest;
  std::filesystem::path quarantine_dir;
  web::WebConfig web;
  std::set<std::string> domains;  // lower case; digests go only to recipients in these
  std::string sender;             // From and envelope sender
  std::string hostname;           // this gateway's name (Message-ID, Received of the queue)
  DigestTemplate layout;
};

// nullopt when [quarantine.digest] is absent or has enabled = false. Throws config::ConfigError.
std::optional<DigestSettings> loadDigestSettings(const config::GatewayConfig& config);

}  // namespace portcullis::digest
