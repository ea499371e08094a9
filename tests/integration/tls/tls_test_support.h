// Shared pieces of the TLS integration tests: self-signed test certificates of either key type,
// a gateway with STARTTLS on 127.0.0.1 (no internal MTA unless a test starts one), `portcullis
// config check` on its configuration, and tls_peer.py as the STARTTLS client.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/gateway_process.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace portcullis::test {

enum class KeyType { Rsa, Ec };

struct CertificateFiles {
  std::string certificate;
  std::string key;
};

// A new private key in `dir`/`name`.key.pem.
std::string makeKey(const TempDir& dir, const std::string& name, KeyType type);
// A self-signed certificate for gw.test (subjectAltName DNS:gw.test and IP:127.0.0.1, valid for a
// year) with a new key, in `dir`/`name`.{crt,key}.pem.
CertificateFiles makeCertificate(const TempDir& dir, const std::string& name, KeyType type);

// [tls] lines for the certificate and key, plus `extra` lines.
std::string tlsSettings(const std::string& certificate, const std::string& key,
                        const std::string& extra = "");

// Settings for a gateway with `tls` as its [tls] lines, relaying to a port where nothing listens
// (these tests send no mail unless they start an internal MTA and set relay_port).
GatewaySettings tlsGatewaySettings(const std::string& tls);

// `portcullis config check` on the configuration `gateway` would run with.
CommandResult configCheck(GatewayProcess& gateway);
// The 1-based line of the first line of `file` starting with `prefix`, or 0.
int lineOf(const std::filesystem::path& file, const std::string& prefix);

// Runs tls_peer.py's client (EHLO or HELO, STARTTLS, EHLO, QUIT, TLS shutdown) against the
// gateway and returns what it printed: greeting, hello, starttls, version, cipher, quit,
// clean_shutdown, handshake_error. `args` are further tls_peer.py client options.
boost::json::object startTlsSession(uint16_t port, const std::vector<std::string>& args = {});

// The path of tls_peer.py.
std::string tlsPeerScript();

}  // namespace portcullis::test
