// Runs the real `portcullis serve` binary for integration tests: writes a configuration TOML into a
// directory (listening on 127.0.0.1, spool under the same directory, relaying to a given port),
// starts the gateway with its output in gateway.log, and learns the bound port from the log line
// "listening for SMTP on port N". After the first start the port is kept, so a restart (after
// SIGKILL or SIGTERM) listens where clients already connect.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "tests/support/child_process.h"

namespace portcullis::test {

std::filesystem::path portcullisBinary();

struct GatewaySettings {
  std::string mode = "spool";                     // relay.mode
  uint16_t relay_port = 0;                        // the internal MTA on 127.0.0.1
  uint16_t listen_port = 0;                       // 0: an ephemeral port, read from the log
  std::string local_domains = "\"example.org\"";  // domains.local, as TOML array elements
  std::string relay_tls = "none";                 // relay.tls: STARTTLS to the internal MTA
  // Extra "key = value" lines for each table (appended after the defaults this fixture sets).
  // Off unless a test serves the client's reverse name: no lookup leaves loopback.
  bool client_reverse_lookup = false;
  std::string server;
  std::string limits;
  std::string tls;
  std::string domains;
  std::string relay;
  std::string queue;
  std::string log;
  std::string pipeline;
  std::string policy;
  std::string quarantine;
  std::string metrics = "enabled = false\n";  // replace to serve /metrics
  // Further tables appended verbatim: "[checks.content]\n...", "[dns]\n...", "[milter]\n...".
  std::string extra;
};

// The configuration text for `settings` with the queue in `spool_dir`.
std::string gatewayToml(const GatewaySettings& settings, const std::filesystem::path& spool_dir);

class GatewayProcess {
 public:
  GatewayProcess(const std::filesystem::path& dir, GatewaySettings settings);

  const std::filesystem::path& configPath() const { return config_; }
  const std::filesystem::path& spoolDir() const { return spool_; }
  GatewaySettings& settings() { return settings_; }
  // Rewrites the configuration file from settings() (also done by start()).
  void writeConfig();

  // Starts and waits for the listening line; throws with the log when it does not come.
  void start(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  uint16_t port() const { return port_; }
  pid_t pid() const { return process_.pid(); }
  bool running() { return process_.running(); }
  void signal(int signo) { process_.signal(signo); }
  std::optional<int> wait(std::chrono::milliseconds timeout) { return process_.wait(timeout); }
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(20)) {
    return process_.stop(grace);
  }
  void kill() { process_.kill(); }

  std::string log() const;
  // True once `needle` appears in the log after byte `from` (default: anywhere).
  bool waitForLog(std::string_view needle, std::chrono::milliseconds timeout,
                  size_t from = 0) const;
  size_t logSize() const;

 private:
  std::filesystem::path dir_;
  std::filesystem::path config_;
  std::filesystem::path spool_;
  std::filesystem::path log_;
  GatewaySettings settings_;
  uint16_t port_ = 0;
  ChildProcess process_;
};

}  // namespace portcullis::test
