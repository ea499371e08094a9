#include "tests/integration/tls/tls_test_support.h"

#include <fstream>
#include <stdexcept>

#include "tests/support/loopback.h"

namespace portcullis::test {

std::string tlsPeerScript() {
  return PORTCULLIS_SOURCE_DIR "/tests/integration/tls/tls_peer.py";
}

std::string makeKey(const TempDir& dir, const std::string& name, KeyType type) {
  std::string key = (dir / (name + ".key.pem")).string();
  std::vector<std::string> argv = {"openssl", "genpkey", "-out", key, "-algorithm"};
  if (type == KeyType::Rsa) {
    argv.insert(argv.end(), {"RSA", "-pkeyopt", "rsa_keygen_bits:2048"});
  } else {
    argv.insert(argv.end(), {"EC", "-pkeyopt", "ec_paramgen_curve:P-256"});
  }
  auto made = runCommand(argv);
  if (made.exit_code != 0) throw std::runtime_error("openssl genpkey failed: " + made.output);
  return key;
}

CertificateFiles makeCertificate(const TempDir& dir, const std::string& name, KeyType type) {
  CertificateFiles files;
  files.key = makeKey(dir, name, type);
  files.certificate = (dir / (name + ".crt.pem")).string();
  auto made = runCommand({"openssl", "req", "-x509", "-new", "-key", files.key, "-days", "365",
                          "-subj", "/CN=gw.test", "-addext",
                          "subjectAltName=DNS:gw.test,IP:127.0.0.1", "-out", files.certificate});
  if (made.exit_code != 0) throw std::runtime_error("openssl req failed: " + made.output);
  return files;
}

std::string tlsSettings(const std::string& certificate, const std::string& key,
                        const std::string& extra) {
  return "certificate = \"" + certificate + "\"\nkey = \"" + key + "\"\n" + extra;
}

GatewaySettings tlsGatewaySettings(const std::string& tls) {
  GatewaySettings s;
  s.tls = tls;
  s.relay_port = freeLoopbackPort();
  return s;
}

CommandResult configCheck(GatewayProcess& gateway) {
  gateway.writeConfig();
  return runCommand(
      {portcullisBinary().string(), "config", "check", gateway.configPath().string()});
}

int lineOf(const std::filesystem::path& file, const std::string& prefix) {
  std::ifstream in(file);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.rfind(prefix, 0) == 0) return n;
  }
  return 0;
}

boost::json::object startTlsSession(uint16_t port, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/python3", tlsPeerScript(), "client", "--port",
                                   std::to_string(port)};
  argv.insert(argv.end(), args.begin(), args.end());
  auto run = runCommand(argv, "", std::chrono::seconds(60));
  if (run.exit_code != 0) throw std::runtime_error("tls_peer.py client failed: " + run.output);
  return boost::json::parse(run.output).as_object();
}

}  // namespace portcullis::test
