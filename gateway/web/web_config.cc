#include "gateway/web/web_config.h"

#include <boost/asio/ip/address.hpp>

#include <charconv>

#include "gateway/quarantine/audit_log.h"
#include "gateway/quarantine/quarantine_config.h"
#include "gateway/web/password.h"

namespace portcullis::web {

namespace {

using std::chrono::milliseconds;
using namespace std::chrono_literals;
constexpr milliseconds kSecond{1'000};
constexpr milliseconds kMinute{60'000};
constexpr milliseconds kDay{86'400'000};

constexpr const char* kLinkKeyName = "web-link.key";

void readListen(config::Section& s, WebConfig& c, const config::TlsConfig& tls) {
  std::string text = s.getString("listen", "");
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) s.fail("listen", "\"" + text + "\" is not ip:port");
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  if (ec) s.fail("listen", "\"" + host + "\" is not an IP address");
  unsigned port = 0;
  std::string_view digits = std::string_view(text).substr(colon + 1);
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (error != std::errc() || end != digits.data() + digits.size() || port > 65535) {
    s.fail("listen", "\"" + text + "\" has no valid port");
  }
  c.host = host;
  c.port = static_cast<uint16_t>(port);
  c.https = tls.enabled();
  if (!c.https && !address.is_loopback()) {
    s.fail("listen",
           "plain HTTP only on a loopback address; give [tls] a certificate to serve " + host);
  }
}

void readUsers(config::Section& s, WebConfig& c) {
  auto users = s.sub("users");
  if (!users) return;
  for (const std::string& name : users->keys()) {
    std::string hash = users->getString(name, "");
    if (!isPasswordHash(hash)) {
      users->fail(name,
                  "is not an argon2id password hash (make one with `portcullis web "
                  "hash-password`)");
    }
    c.users.emplace(name, hash);
  }
  users->finish();
}

}  // namespace

WebConfig readWebConfig(config::Section& s, const config::TlsConfig& tls,
                        const std::filesystem::path& quarantine_dir) {
  WebConfig c;
  readListen(s, c, tls);
  readUsers(s, c);
  c.session_lifetime = s.getDuration("session_lifetime", c.session_lifetime, kMinute, kDay);
  c.login_failures = static_cast<uint32_t>(s.getInt("login_failures", c.login_failures, 1, 1'000));
  c.login_window = s.getDuration("login_window", c.login_window, kSecond, kDay);
  c.link_lifetime = s.getDuration("link_lifetime", c.link_lifetime, kMinute, 90 * kDay);
  c.link_key_file = s.getString("link_key_file", (quarantine_dir / kLinkKeyName).string());
  c.audit_log = s.getString("audit_log", (quarantine_dir / quarantine::kAuditLogName).string());
  for (const char* key : {"link_key_file", "audit_log"}) {
    if (!std::filesystem::path(s.getString(key, "/")).is_absolute()) {
      s.fail(key, "must be an absolute path");
    }
  }
  c.public_url = s.getString("public_url", "");
  if (!c.public_url.empty() && c.public_url.rfind("https://", 0) != 0 &&
      c.public_url.rfind("http://", 0) != 0) {
    s.fail("public_url", "must start with https:// or http://");
  }
  while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();
  c.page_size = static_cast<uint32_t>(s.getInt("page_size", c.page_size, 1, 1'000));
  c.history_period = s.getDuration("history_period", c.history_period, 3'600'000ms, 90 * kDay);
  c.max_field_length =
      static_cast<uint32_t>(s.getInt("max_field_length", c.max_field_length, 16, 100'000));
  c.max_shown_text = s.getSize("max_shown_text", c.max_shown_text, 1024, 64ULL << 20);
  c.max_connections =
      static_cast<uint32_t>(s.getInt("max_connections", c.max_connections, 1, 10'000));
  c.request_timeout = s.getDuration("request_timeout", c.request_timeout, kSecond, 10 * kMinute);
  c.max_request_body = s.getSize("max_request_body", c.max_request_body, 1024, 16ULL << 20);
  c.max_request_header = static_cast<uint32_t>(
      s.getSize("max_request_header", c.max_request_header, 1024, 1ULL << 20));
  s.finish();
  return c;
}

std::string consoleBaseUrl(const WebConfig& config) {
  if (!config.public_url.empty()) return config.public_url;
  bool v6 = config.host.find(':') != std::string::npos;
  return std::string(config.https ? "https" : "http") + "://" + (v6 ? "[" : "") + config.host +
         (v6 ? "]" : "") + ":" + std::to_string(config.port);
}

std::optional<WebConfig> loadWebConfig(const config::GatewayConfig& config) {
  auto root = config.document.root();
  auto section = root.sub("web");
  if (!section) return std::nullopt;
  auto quarantine = quarantine::loadQuarantineConfig(config.document);
  return readWebConfig(*section, config.tls, quarantine.directory);
}

}  // namespace portcullis::web
