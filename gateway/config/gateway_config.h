// The gateway's own configuration (everything but the checks' `[checks.NAME]` tables, which each
// filter reads itself): typed structs with safe defaults, filled and validated from the TOML file.
// Every option is documented in deploy/portcullis.toml.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "gateway/config/document.h"
#include "gateway/core/access_lists.h"

namespace portcullis::config {

using std::chrono::milliseconds;

// The modes the file names with strings, read once into these enums (each file spelling is given
// where the enum is read, gateway_config.cc). A code path that switches over one lists every
// value, so a new choice fails to compile instead of falling to an else branch.
enum class BareLineEnds { Reject, Normalize };          // limits.bare_line_ends
enum class RecipientVerify { None, List, Probe };       // domains.verify
enum class RelayMode { Spool, Proxy };                  // relay.mode
enum class RelayTls { None, Opportunistic, Required };  // relay.tls
enum class LongLines { Wrap, Refuse };                  // relay.long_lines
enum class LogFormat { Text, Json };                    // log.format

struct ListenAddress {
  std::string host;
  uint16_t port = 25;
};

struct ServerConfig {
  std::string hostname;     // default: the machine's host name
  std::string authserv_id;  // Authentication-Results authserv-id; default: hostname
  std::vector<ListenAddress> listen{{"127.0.0.1", 2525}};
  size_t max_connections = 1000;
  size_t max_connections_per_ip = 50;
  milliseconds shutdown_grace{30'000};
  // After a failed accept (e.g. out of descriptors): the first pause, doubling up to the maximum;
  // and at most one log line about failing accepts per interval.
  milliseconds accept_backoff_min{10};
  milliseconds accept_backoff_max{1'000};
  milliseconds accept_error_log_interval{10'000};
  size_t io_threads = 1;  // 0 in the file: one per core
  // Look up each client's forward-confirmed reverse name at connect (our Received field, the
  // relay model's rdns); false: every client is recorded without a name.
  bool client_reverse_lookup = true;
  std::filesystem::path pid_file;  // written by `serve` for `portcullis rules reload`; empty: none
};

struct LimitsConfig {
  size_t max_line_length = 2048;  // command lines; RFC 5321 requires at least 512
  uint64_t max_message_size = 50ull << 20;
  size_t max_recipients = 1000;
  uint64_t max_header_size = 1ull << 20;
  size_t max_errors = 20;
  milliseconds command_timeout{300'000};  // RFC 5321 §4.5.3.2.7: 5 minutes
  milliseconds data_timeout{600'000};     // §4.5.3.2.6: 10 minutes for the whole DATA phase
  BareLineEnds bare_line_ends = BareLineEnds::Reject;
};

// How far the MIME parser goes into one message; beyond a limit the message is still scanned as
// far as the limit, and the content check adds a MIME_*_LIMIT symbol.
struct MimeConfig {
  size_t max_depth = 20;                     // multipart / message/rfc822 nesting
  size_t max_parts = 1000;                   // MIME parts in the whole tree
  uint64_t max_decoded_bytes = 64ull << 20;  // decoded content of all parts together
  size_t max_header_fields = 1000;           // per header section
  uint64_t max_text_bytes = 4ull << 20;      // rendered body text the rules see
  size_t max_uris = 10000;                   // URIs, and separately e-mail addresses
};

// Where every command looks for the configuration when it is not given one (-c).
inline constexpr const char* kDefaultConfigPath = "/etc/portcullis/portcullis.toml";

// The TLS 1.2 cipher list offered by default: forward-secret AEAD suites first, then
// forward-secret CBC suites for old MTAs that would otherwise fall back to plaintext; never a
// static-RSA key exchange. TLS 1.3 suites are all forward-secret AEAD and keep OpenSSL's list.
inline constexpr const char* kDefaultTlsCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:"
    "ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:"
    "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:"
    "ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA";

struct TlsConfig {
  std::filesystem::path certificate;
  std::filesystem::path key;
  bool required = false;
  // Versions offered: "TLSv1.2" and/or "TLSv1.3" (OpenSSL 3 runs older ones only at security
  // level 0, so they are refused).
  std::vector<std::string> protocols{"TLSv1.2", "TLSv1.3"};
  std::string ciphers = kDefaultTlsCiphers;  // OpenSSL cipher list for TLS 1.2
  bool server_preference = true;             // our cipher order, not the client's
  bool enabled() const { return !certificate.empty(); }
};

struct DomainsConfig {
  std::vector<std::string> local;       // domains we accept mail for
  std::vector<std::string> recipients;  // explicit recipient list (used by verify = "list")
  RecipientVerify verify = RecipientVerify::None;
  milliseconds probe_positive_ttl{3'600'000};
  milliseconds probe_negative_ttl{300'000};
};

struct RelayConfig {
  RelayMode mode = RelayMode::Spool;
  std::string host = "127.0.0.1";
  uint16_t port = 25;
  RelayTls tls = RelayTls::Opportunistic;
  bool tls_verify = false;  // verify the internal MTA's certificate
  std::filesystem::path tls_ca_file;
  size_t concurrency = 10;
  size_t max_messages_per_connection = 100;
  milliseconds connect_timeout{30'000};
  milliseconds command_timeout{300'000};
  milliseconds data_timeout{600'000};
  milliseconds idle_timeout{10'000};           // how long a reusable connection is kept open
  size_t proxy_idle_connections = 20;          // proxy mode: idle connections kept for reuse
  milliseconds outage_probe_interval{30'000};  // while the internal MTA is down
  // Message lines longer than this many octets (without CRLF) are wrapped when relayed, or the
  // message is refused at the end of DATA (long_lines); 0: no limit.
  size_t line_length_limit = 998;
  LongLines long_lines = LongLines::Wrap;
};

struct QueueConfig {
  std::filesystem::path directory = "/var/spool/portcullis";
  milliseconds retry_min{300'000};
  milliseconds retry_max{3'600'000};
  milliseconds delay_warning{4 * 3'600'000};
  milliseconds max_lifetime{5 * 86'400'000LL};
  milliseconds scan_interval{1'000};
  uint64_t max_returned_size = 256 << 10;  // bytes of the original message a DSN carries
  // Group commit (gateway/spool/spool.h): concurrent messages share one journal sync.
  bool group_commit = true;
  std::chrono::microseconds commit_window{0};  // wait after a batch's first message for more
  size_t commit_batch_max = 256;               // messages per journal sync at most
  milliseconds checkpoint_interval{1'000};     // journal segment lifetime before its syncfs
  size_t spare_files = 1'000;                  // removed queue files kept for reuse
  // How long a removal may wait to be journaled with others.
  std::chrono::microseconds removal_delay{2'000};
};

struct PipelineConfig {
  milliseconds check_timeout{30'000};
  size_t workers = 0;  // 0: one per core
};

// The thresholds and reply settings [policy] sets and each [[policy.domain]] may override.
struct PolicyRulesConfig {
  double tag_threshold = 5.0;
  double quarantine_threshold = 1e9;  // off unless configured
  double reject_threshold = 15.0;
  std::string subject_prefix;   // e.g. "[SPAM]"; empty: Subject unchanged
  bool reveal_symbols = false;  // name the rules in reject replies
};

// One [[policy.domain]]: a local recipient domain with its own rules (unset keys: [policy]'s).
struct DomainPolicyConfig : PolicyRulesConfig {
  std::string domain;  // lowercase, one of domains.local
};

struct PolicyConfig : PolicyRulesConfig {
  AccessLists lists;
  std::vector<DomainPolicyConfig> domains;
};

struct LogConfig {
  LogFormat format = LogFormat::Text;
  std::filesystem::path file;  // empty: stderr
  std::string level = "info";
};

struct GatewayConfig {
  std::filesystem::path source;  // the file it was read from
  ServerConfig server;
  LimitsConfig limits;
  MimeConfig mime;
  TlsConfig tls;
  DomainsConfig domains;
  RelayConfig relay;
  QueueConfig queue;
  PipelineConfig pipeline;
  PolicyConfig policy;
  LogConfig log;
  Document document;  // kept for the sections other parts read ([checks.*], [dns], [metrics]...)
};

// Reads and validates everything but [checks.*] and the sections named in `other_sections`
// (read by their owners, who call finish() on them). Throws ConfigError with file:line.
GatewayConfig loadGatewayConfig(const Document& doc);
GatewayConfig loadGatewayConfigFile(const std::filesystem::path& path);

}  // namespace portcullis::config
