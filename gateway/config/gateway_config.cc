#include "gateway/config/gateway_config.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <thread>

#include "gateway/base/text.h"

namespace portcullis::config {

namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr auto kDay = hours(24);
// RFC 5322 §2.1.1 recommends 78: a shorter relay limit would fold ordinary header lines.
constexpr size_t kMinLineLengthLimit = 78;

std::string machineHostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

ListenAddress parseListen(Section& s, const std::string& key, std::string_view text) {
  // "host:port" or "[v6]:port"
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    s.fail(key, "\"" + std::string(text) + "\" is not host:port");
  }
  ListenAddress a;
  a.host = std::string(text.substr(0, colon));
  if (a.host.size() > 2 && a.host.front() == '[' && a.host.back() == ']') {
    a.host = a.host.substr(1, a.host.size() - 2);
  }
  std::string_view port = text.substr(colon + 1);
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || ptr != port.data() + port.size() || value > 65535) {
    s.fail(key, "\"" + std::string(text) + "\" has no valid port");
  }
  a.port = static_cast<uint16_t>(value);
  return a;
}

void readServer(Section& s, ServerConfig& c) {
  c.hostname = s.getString("hostname", machineHostname());
  c.authserv_id = s.getString("authserv_id", c.hostname);
  if (s.has("listen")) {
    c.listen.clear();
    for (const auto& l : s.getStrings("listen", {}))
      c.listen.push_back(parseListen(s, "listen", l));
    if (c.listen.empty()) s.fail("listen", "needs at least one address");
  }
  c.max_connections = s.getInt("max_connections", c.max_connections, 1, 1'000'000);
  c.max_connections_per_ip =
      s.getInt("max_connections_per_ip", c.max_connections_per_ip, 1, 1'000'000);
  c.shutdown_grace = s.getDuration("shutdown_grace", c.shutdown_grace, {}, hours(1));
  c.accept_backoff_min =
      s.getDuration("accept_backoff_min", c.accept_backoff_min, milliseconds(1), minutes(1));
  c.accept_backoff_max =
      s.getDuration("accept_backoff_max", c.accept_backoff_max, milliseconds(1), minutes(1));
  if (c.accept_backoff_max < c.accept_backoff_min) {
    s.fail("accept_backoff_max", "must not be shorter than accept_backoff_min");
  }
  c.accept_error_log_interval = s.getDuration("accept_error_log_interval",
                                              c.accept_error_log_interval, seconds(1), hours(24));
  c.io_threads = s.getInt("io_threads", c.io_threads, 0, 256);
  if (c.io_threads == 0) c.io_threads = std::max(1u, std::thread::hardware_concurrency());
  c.client_reverse_lookup = s.getBool("client_reverse_lookup", c.client_reverse_lookup);
  c.pid_file = s.getString("pid_file", "");
  s.finish();
}

void readLimits(Section& s, LimitsConfig& c) {
  c.max_line_length = s.getInt("max_line_length", c.max_line_length, 512, 1 << 20);
  c.max_message_size = s.getSize("max_message_size", c.max_message_size, 1024, 1ull << 40);
  c.max_recipients = s.getInt("max_recipients", c.max_recipients, 1, 100'000);
  c.max_header_size = s.getSize("max_header_size", c.max_header_size, 1024, 1ull << 30);
  c.max_errors = s.getInt("max_errors", c.max_errors, 1, 10'000);
  c.command_timeout = s.getDuration("command_timeout", c.command_timeout, seconds(1), hours(1));
  c.data_timeout = s.getDuration("data_timeout", c.data_timeout, seconds(1), hours(2));
  c.bare_line_ends = s.choice<BareLineEnds>(
      "bare_line_ends", c.bare_line_ends,
      {{"reject", BareLineEnds::Reject}, {"normalize", BareLineEnds::Normalize}});
  s.finish();
}

void readMime(Section& s, MimeConfig& c) {
  c.max_depth = s.getInt("max_depth", c.max_depth, 1, 1000);
  c.max_parts = s.getInt("max_parts", c.max_parts, 1, 1'000'000);
  c.max_decoded_bytes = s.getSize("max_decoded_bytes", c.max_decoded_bytes, 1024, 1ull << 34);
  c.max_header_fields = s.getInt("max_header_fields", c.max_header_fields, 10, 1'000'000);
  c.max_text_bytes = s.getSize("max_text_bytes", c.max_text_bytes, 1024, 1ull << 32);
  c.max_uris = s.getInt("max_uris", c.max_uris, 1, 10'000'000);
  s.finish();
}

void readTls(Section& s, TlsConfig& c) {
  c.certificate = s.getString("certificate", "");
  c.key = s.getString("key", "");
  c.required = s.getBool("required", false);
  c.protocols = s.getStrings("protocols", c.protocols);
  if (c.protocols.empty()) s.fail("protocols", "needs at least one of \"TLSv1.2\", \"TLSv1.3\"");
  for (size_t i = 0; i < c.protocols.size(); ++i) {
    const std::string& p = c.protocols[i];
    if (p != "TLSv1.2" && p != "TLSv1.3") {
      s.fail("protocols", "\"" + p +
                              "\" is not offered: use \"TLSv1.2\" and/or \"TLSv1.3\" (OpenSSL 3 "
                              "runs older versions only at security level 0)");
    }
    if (std::find(c.protocols.begin(), c.protocols.begin() + i, p) != c.protocols.begin() + i) {
      s.fail("protocols", "\"" + p + "\" is listed twice");
    }
  }
  c.ciphers = s.getString("ciphers", c.ciphers);
  if (c.ciphers.find_first_not_of(" \t:,") == std::string::npos) {
    s.fail("ciphers", "needs at least one cipher (an OpenSSL cipher list)");
  }
  c.server_preference = s.getBool("server_preference", c.server_preference);
  if (c.certificate.empty() != c.key.empty()) {
    s.fail(c.certificate.empty() ? "certificate" : "key",
           "tls.certificate and tls.key must be given together");
  }
  if (c.required && !c.enabled()) s.fail("required", "TLS required but no certificate given");
  s.finish();
}

void readDomains(Section& s, DomainsConfig& c) {
  c.local = s.getStrings("local", {});
  for (auto& d : c.local) {
    for (auto& ch : d) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  c.recipients = s.getStrings("recipients", {});
  c.verify = s.choice<RecipientVerify>("verify", c.verify,
                                       {{"none", RecipientVerify::None},
                                        {"list", RecipientVerify::List},
                                        {"probe", RecipientVerify::Probe}});
  if (c.verify == RecipientVerify::List && c.recipients.empty()) {
    s.fail("verify", "verify = \"list\" needs domains.recipients");
  }
  c.probe_positive_ttl = s.getDuration("probe_positive_ttl", c.probe_positive_ttl, {}, 7 * kDay);
  c.probe_negative_ttl = s.getDuration("probe_negative_ttl", c.probe_negative_ttl, {}, 7 * kDay);
  s.finish();
}

void readRelay(Section& s, RelayConfig& c) {
  c.mode = s.choice<RelayMode>("mode", c.mode,
                               {{"spool", RelayMode::Spool}, {"proxy", RelayMode::Proxy}});
  c.host = s.getString("host", c.host);
  c.port = static_cast<uint16_t>(s.getInt("port", c.port, 1, 65535));
  c.tls = s.choice<RelayTls>("tls", c.tls,
                             {{"none", RelayTls::None},
                              {"opportunistic", RelayTls::Opportunistic},
                              {"required", RelayTls::Required}});
  c.tls_verify = s.getBool("tls_verify", c.tls_verify);
  c.tls_ca_file = s.getString("tls_ca_file", "");
  c.concurrency = s.getInt("concurrency", c.concurrency, 1, 1000);
  c.max_messages_per_connection =
      s.getInt("max_messages_per_connection", c.max_messages_per_connection, 1, 100'000);
  c.connect_timeout = s.getDuration("connect_timeout", c.connect_timeout, seconds(1), hours(1));
  c.command_timeout = s.getDuration("command_timeout", c.command_timeout, seconds(1), hours(1));
  c.data_timeout = s.getDuration("data_timeout", c.data_timeout, seconds(1), hours(2));
  c.idle_timeout = s.getDuration("idle_timeout", c.idle_timeout, {}, hours(1));
  c.proxy_idle_connections =
      s.getInt("proxy_idle_connections", c.proxy_idle_connections, 0, 10'000);
  c.outage_probe_interval =
      s.getDuration("outage_probe_interval", c.outage_probe_interval, milliseconds(100), hours(1));
  c.line_length_limit = s.getInt("line_length_limit", c.line_length_limit, 0, 1 << 20);
  if (c.line_length_limit > 0 && c.line_length_limit < kMinLineLengthLimit) {
    s.fail("line_length_limit",
           "must be 0 (no limit) or at least " + std::to_string(kMinLineLengthLimit) + " octets");
  }
  c.long_lines = s.choice<LongLines>("long_lines", c.long_lines,
                                     {{"wrap", LongLines::Wrap}, {"refuse", LongLines::Refuse}});
  if (c.long_lines == LongLines::Refuse && c.line_length_limit == 0) {
    s.fail("long_lines", "long_lines = \"refuse\" needs a line_length_limit above 0");
  }
  s.finish();
}

void readQueue(Section& s, QueueConfig& c) {
  c.directory = s.getString("directory", c.directory.string());
  c.retry_min = s.getDuration("retry_min", c.retry_min, seconds(1), kDay);
  c.retry_max = s.getDuration("retry_max", c.retry_max, seconds(1), 7 * kDay);
  if (c.retry_max < c.retry_min) s.fail("retry_max", "must not be below queue.retry_min");
  c.delay_warning = s.getDuration("delay_warning", c.delay_warning, {}, 30 * kDay);
  c.max_lifetime = s.getDuration("max_lifetime", c.max_lifetime, seconds(1), 60 * kDay);
  c.scan_interval = s.getDuration("scan_interval", c.scan_interval, milliseconds(10), hours(1));
  c.max_returned_size = s.getSize("max_returned_size", c.max_returned_size, 0, 1ull << 30);
  c.group_commit = s.getBool("group_commit", c.group_commit);
  c.commit_window =
      std::chrono::microseconds(s.getInt("commit_window_us", c.commit_window.count(), 0, 100'000));
  c.commit_batch_max = s.getInt("commit_batch_max", c.commit_batch_max, 1, 100'000);
  c.checkpoint_interval =
      s.getDuration("checkpoint_interval", c.checkpoint_interval, milliseconds(10), minutes(10));
  c.spare_files = s.getInt("spare_files", c.spare_files, 0, 1'000'000);
  c.removal_delay = std::chrono::microseconds(
      s.getInt("removal_delay_us", c.removal_delay.count(), 0, 1'000'000));
  s.finish();
}

void readPipeline(Section& s, PipelineConfig& c) {
  c.check_timeout = s.getDuration("check_timeout", c.check_timeout, milliseconds(10), hours(1));
  c.workers = s.getInt("workers", c.workers, 0, 1024);
  s.finish();
}

void readPolicyRules(Section& s, PolicyRulesConfig& c) {
  c.tag_threshold = s.getDouble("tag_threshold", c.tag_threshold, -1e6, 1e9);
  c.quarantine_threshold = s.getDouble("quarantine_threshold", c.quarantine_threshold, -1e6, 1e9);
  c.reject_threshold = s.getDouble("reject_threshold", c.reject_threshold, -1e6, 1e9);
  c.subject_prefix = s.getString("subject_prefix", c.subject_prefix);
  c.reveal_symbols = s.getBool("reveal_symbols", c.reveal_symbols);
}

// Fills `list` (a NetworkList or an AddressList) from the string array at `key`.
template <typename List>
void readList(Section& s, const std::string& key, List& list) {
  for (const auto& entry : s.getStrings(key, {})) {
    if (Status added = list.add(entry); !added) s.fail(key, added.error);
  }
}

void readDomainPolicies(Section& s, PolicyConfig& c, const std::vector<std::string>& local) {
  for (Section& d : s.subArray("domain")) {
    DomainPolicyConfig domain;
    static_cast<PolicyRulesConfig&>(domain) = c;
    if (!d.has("domain")) d.fail("domain", "each [[policy.domain]] needs domain = \"...\"");
    domain.domain = toLower(d.getString("domain", ""));
    if (std::find(local.begin(), local.end(), domain.domain) == local.end()) {
      d.fail("domain", "\"" + domain.domain + "\" is not one of domains.local");
    }
    for (const auto& other : c.domains) {
      if (other.domain == domain.domain) {
        d.fail("domain", "\"" + domain.domain + "\" has a [[policy.domain]] already");
      }
    }
    readPolicyRules(d, domain);
    d.finish();
    c.domains.push_back(std::move(domain));
  }
}

void readPolicy(Section& s, PolicyConfig& c, const std::vector<std::string>& local_domains) {
  readPolicyRules(s, c);
  readList(s, "allow_clients", c.lists.allow_clients);
  readList(s, "deny_clients", c.lists.deny_clients);
  readList(s, "allow_senders", c.lists.allow_senders);
  readList(s, "deny_senders", c.lists.deny_senders);
  readList(s, "allow_recipients", c.lists.allow_recipients);
  readList(s, "deny_recipients", c.lists.deny_recipients);
  readDomainPolicies(s, c, local_domains);
  s.finish();
}

void readLog(Section& s, LogConfig& c) {
  c.format = s.choice<LogFormat>("format", c.format,
                                 {{"text", LogFormat::Text}, {"json", LogFormat::Json}});
  c.file = s.getString("file", "");
  c.level = s.getChoice("level", c.level, {"trace", "debug", "info", "warn", "error"});
  s.finish();
}

template <typename Reader, typename Target>
void readOptional(Section& root, const std::string& name, Reader reader, Target& target) {
  if (auto s = root.sub(name)) reader(*s, target);
}

}  // namespace

GatewayConfig loadGatewayConfig(const Document& doc) {
  GatewayConfig c;
  c.source = doc.file();
  Section root = doc.root();
  c.server.hostname = machineHostname();
  readOptional(root, "server", readServer, c.server);
  if (c.server.authserv_id.empty()) c.server.authserv_id = c.server.hostname;
  readOptional(root, "limits", readLimits, c.limits);
  readOptional(root, "mime", readMime, c.mime);
  readOptional(root, "tls", readTls, c.tls);
  readOptional(root, "domains", readDomains, c.domains);
  readOptional(root, "relay", readRelay, c.relay);
  readOptional(root, "queue", readQueue, c.queue);
  readOptional(root, "pipeline", readPipeline, c.pipeline);
  auto read_policy = [&c](Section& s, PolicyConfig& policy) {
    readPolicy(s, policy, c.domains.local);
  };
  readOptional(root, "policy", read_policy, c.policy);
  readOptional(root, "log", readLog, c.log);
  // Sections their owners read and validate.
  for (const char* other : {"checks", "dns", "metrics", "milter", "quarantine", "web"})
    root.sub(other);
  root.finish();
  if (c.domains.local.empty()) {
    root.fail("domains",
              "domains.local needs at least one domain (the gateway is never an open "
              "relay)");
  }
  c.document = doc;
  return c;
}

GatewayConfig loadGatewayConfigFile(const std::filesystem::path& path) {
  return loadGatewayConfig(Document::parseFile(path));
}

}  // namespace portcullis::config
