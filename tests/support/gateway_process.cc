#include "tests/support/gateway_process.h"

#include <cstdlib>
#include <regex>
#include <stdexcept>
#include <thread>

#include "tests/support/temp_dir.h"

namespace portcullis::test {

std::filesystem::path portcullisBinary() {
  // PORTCULLIS_BINARY runs another build (benchmarks comparing two binaries in one sitting).
  if (const char* binary = std::getenv("PORTCULLIS_BINARY"); binary && *binary) return binary;
  return std::filesystem::path(PORTCULLIS_BINARY_DIR) / "portcullis";
}

std::string gatewayToml(const GatewaySettings& s, const std::filesystem::path& spool_dir) {
  std::string t;
  t += "[server]\nhostname = \"gw.test\"\nlisten = [\"127.0.0.1:" + std::to_string(s.listen_port) +
       "\"]\nshutdown_grace = \"5s\"\nclient_reverse_lookup = " +
       (s.client_reverse_lookup ? "true" : "false") + "\n" + s.server;
  t += "\n[limits]\ncommand_timeout = \"30s\"\ndata_timeout = \"60s\"\n" + s.limits;
  t += "\n[tls]\n" + s.tls;
  t += "\n[domains]\nlocal = [" + s.local_domains + "]\n" + s.domains;
  t += "\n[relay]\nmode = \"" + s.mode +
       "\"\nhost = \"127.0.0.1\"\nport = " + std::to_string(s.relay_port) + "\ntls = \"" +
       s.relay_tls +
       "\"\nconnect_timeout = \"5s\"\ncommand_timeout = \"30s\"\n"
       "outage_probe_interval = \"1s\"\n" +
       s.relay;
  t += "\n[queue]\ndirectory = \"" + spool_dir.string() +
       "\"\nretry_min = \"1s\"\nretry_max = \"2s\"\nscan_interval = \"200ms\"\n" + s.queue;
  t += "\n[pipeline]\nworkers = 2\n" + s.pipeline;
  t += "\n[policy]\n" + s.policy;
  t += "\n[log]\nlevel = \"info\"\n" + s.log;
  // Nothing shared between gateways of parallel tests: no metrics port, a private quarantine.
  t += "\n[metrics]\n" + s.metrics;
  t += "\n[quarantine]\ndirectory = \"" + (spool_dir.parent_path() / "quarantine").string() +
       "\"\n" + s.quarantine;
  t += "\n" + s.extra;
  return t;
}

GatewayProcess::GatewayProcess(const std::filesystem::path& dir, GatewaySettings settings)
    : dir_(dir),
      config_(dir / "portcullis.toml"),
      spool_(dir / "spool"),
      log_(dir / "gateway.log"),
      settings_(std::move(settings)) {
  std::filesystem::create_directories(dir_);
}

void GatewayProcess::writeConfig() {
  writeFile(config_, gatewayToml(settings_, spool_));
}

void GatewayProcess::start(std::chrono::milliseconds timeout) {
  writeConfig();
  size_t from = logSize();
  process_ =
      ChildProcess::start({portcullisBinary().string(), "serve", "-c", config_.string()}, log_);
  static const std::regex listening("listening for SMTP on port ([0-9]+)");
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::string fresh = log().substr(std::min(from, logSize()));
    std::smatch m;
    if (std::regex_search(fresh, m, listening)) {
      port_ = static_cast<uint16_t>(std::stoi(m[1].str()));
      settings_.listen_port = port_;
      return;
    }
    if (!process_.running() || std::chrono::steady_clock::now() >= deadline) {
      process_.kill();
      throw std::runtime_error("gateway did not start; log:\n" + fresh);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string GatewayProcess::log() const {
  return readFile(log_);
}

size_t GatewayProcess::logSize() const {
  std::error_code ec;
  auto size = std::filesystem::file_size(log_, ec);
  return ec ? 0 : static_cast<size_t>(size);
}

bool GatewayProcess::waitForLog(std::string_view needle, std::chrono::milliseconds timeout,
                                size_t from) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::string text = log();
    if (from < text.size() && text.find(needle, from) != std::string::npos) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace portcullis::test
