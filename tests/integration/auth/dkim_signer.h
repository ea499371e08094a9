// DKIM keys and signatures for the authentication tests, made by dkimpy through dkim-tool.py (an
// implementation independent of the gateway's verifier): a fresh RSA-2048 key per test, its key
// record as a dnsmasq line, and relaxed/relaxed rsa-sha256 signing of a message. Every function
// throws std::runtime_error with the tool's output when it fails.
#pragma once

#include <filesystem>
#include <string>

namespace portcullis::auth_test {

struct DkimKey {
  std::filesystem::path private_key;  // PEM
  std::string public_key;             // base64 SubjectPublicKeyInfo, the p= tag
};

// Generates a key into `dir`/dkim-key.pem.
DkimKey makeDkimKey(const std::filesystem::path& dir);

// The dnsmasq line publishing `key` at `selector`._domainkey.`domain` (the key is longer than one
// 255-byte TXT string, so it is given as several).
std::string dkimKeyRecord(const DkimKey& key, const std::string& domain,
                          const std::string& selector);

// `message` (CRLF line ends) with a DKIM-Signature by `domain` / `selector` prepended.
std::string dkimSign(const std::string& message, const DkimKey& key, const std::string& domain,
                     const std::string& selector);

}  // namespace portcullis::auth_test
