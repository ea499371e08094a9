// The [web] table: the quarantine console the gateway serves on its own thread. It is off unless
// [web] names `listen`. Plain HTTP is accepted only on a loopback address (behind a local proxy);
// any other address needs the [tls] certificate. Every limit is a named value; errors name
// file:line.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "gateway/config/document.h"
#include "gateway/config/gateway_config.h"
#include "gateway/config/section.h"

namespace portcullis::web {

struct WebConfig {
  std::string host;  // an IP address
  uint16_t port = 0;
  bool https = false;  // true unless the address is loopback and [tls] has no certificate
  // Administrators: user name -> argon2id hash (crypto_pwhash_str format, `portcullis web
  // hash-password`).
  std::map<std::string, std::string> users;
  std::chrono::milliseconds session_lifetime{8LL * 3'600'000};
  // Failed logins allowed per client address within login_window; then logins from that address
  // are refused until the window has passed.
  uint32_t login_failures = 5;
  std::chrono::milliseconds login_window{15LL * 60'000};
  std::chrono::milliseconds link_lifetime{7LL * 86'400'000};  // recipients' signed links
  std::filesystem::path link_key_file;  // default <quarantine dir>/web-link.key
  std::filesystem::path audit_log;      // default <quarantine dir>/audit.log
  std::string public_url;               // "https://gateway.example.org:8443", for links in mail
  uint32_t page_size = 50;              // messages per list page
  std::chrono::milliseconds history_period{2LL * 86'400'000};  // the history page's hours
  uint32_t max_field_length = 200;       // characters of a subject or address shown in lists
  uint64_t max_shown_text = 256 * 1024;  // bytes of a message's text shown on its page
  uint32_t max_connections = 32;
  std::chrono::milliseconds request_timeout{30'000};  // to read one request and write its answer
  uint64_t max_request_body = 64 * 1024;
  uint32_t max_request_header = 16 * 1024;  // the request line and header fields together
};

// Throws config::ConfigError. `quarantine_dir` gives the defaults of the file paths.
WebConfig readWebConfig(config::Section& section, const config::TlsConfig& tls,
                        const std::filesystem::path& quarantine_dir);
// Where the console is reached, for links in mail: public_url, or else the listen address
// ("https://192.0.2.1:8443").
std::string consoleBaseUrl(const WebConfig& config);

// The [web] table of `config`, or nullopt when the console is off.
std::optional<WebConfig> loadWebConfig(const config::GatewayConfig& config);

}  // namespace portcullis::web
