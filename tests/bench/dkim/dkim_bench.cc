// DKIM verifications per second on one core for an RSA-2048 and an Ed25519 signature (the
// dkimpy-signed fixtures of tests/unit/dkim/data), each a full verification: parse, canonicalise,
// body hash, key record, public-key check. Prints the figures next to `openssl speed`'s raw
// verify rate on this machine and their ratio. A build target, not a test.
#include <time.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "filters/dkim/crypto.h"
#include "filters/dkim/verifier.h"

namespace {

using portcullis::dkim::KeyAnswer;
using portcullis::dkim::KeyCache;
using portcullis::dkim::MessageVerifier;
using portcullis::dkim::Result;

const std::string kData = std::string(PORTCULLIS_SOURCE_DIR) + "/tests/unit/dkim/data/";
constexpr int64_t kNow = 1795801526;  // t= of the fixtures

std::string readWire(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string out;
  for (char c : ss.str()) {
    if (c == '\n' && (out.empty() || out.back() != '\r')) out.push_back('\r');
    out.push_back(c);
  }
  return out;
}

std::map<std::string, std::string> readKeys() {
  std::map<std::string, std::string> keys;
  std::ifstream in(kData + "fixtures-dns.tsv");
  std::string line;
  while (std::getline(in, line)) {
    size_t tab = line.find('\t');
    if (line.empty() || line[0] == '#' || tab == std::string::npos) continue;
    keys[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return keys;
}

// CPU time of this thread: `openssl speed` also counts user CPU time, so both figures mean
// "per core" even on a machine busy with other work.
double threadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Full verifications per CPU second of `file` over about `seconds` of CPU time; `keys` as the check
// holds it (null: the public key is decoded for every message).
double verificationsPerSecond(const std::string& file, const std::string& key_record,
                              double seconds, KeyCache* keys) {
  std::string message = readWire(kData + file);
  KeyAnswer key{KeyAnswer::Status::Found, {key_record}};
  double start = threadCpuSeconds();
  long count = 0;
  double elapsed = 0;
  while (elapsed < seconds) {
    for (int i = 0; i < 100; ++i) {
      MessageVerifier verifier(message);
      if (verifier.verify(0, key, {}, kNow, keys).result != Result::Pass) {
        std::cerr << file << " does not verify\n";
        std::exit(1);
      }
    }
    count += 100;
    elapsed = threadCpuSeconds() - start;
  }
  return count / elapsed;
}

// `openssl speed`'s verify/s for the line containing `marker` (its last column).
double opensslVerifyRate(const std::string& output, const std::string& marker) {
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(marker) == std::string::npos || line.find('s') == std::string::npos) continue;
    size_t end = line.find_last_not_of(" \t");
    size_t begin = line.find_last_of(" \t", end);
    try {
      return std::stod(line.substr(begin + 1, end - begin));
    } catch (const std::exception&) {
    }
  }
  return 0;
}

std::string runOpensslSpeed() {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(
      popen("openssl speed -seconds 2 rsa2048 ed25519 2>/dev/null", "r"), pclose);
  if (!pipe) return {};
  std::string output;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe.get())) output += buffer;
  return output;
}

}  // namespace

int main() {
  auto keys = readKeys();
  const std::string rsa_key = keys["rsa2048._domainkey.football.example.com"];
  const std::string ed_key = keys["brisbane._domainkey.football.example.com"];
  KeyCache cache(16);
  double rsa_cold = verificationsPerSecond("rsa2048-sha256.eml", rsa_key, 2, nullptr);
  double ed_cold = verificationsPerSecond("ed25519-sha256.eml", ed_key, 2, nullptr);
  double rsa = verificationsPerSecond("rsa2048-sha256.eml", rsa_key, 3, &cache);
  double ed = verificationsPerSecond("ed25519-sha256.eml", ed_key, 3, &cache);
  std::cout << "running openssl speed -seconds 2 rsa2048 ed25519 ...\n";
  std::string speed = runOpensslSpeed();
  double openssl_rsa = opensslVerifyRate(speed, "rsa 2048 bits");
  double openssl_ed = opensslVerifyRate(speed, "(Ed25519)");
  auto row = [](const char* name, double ours, double openssl) {
    std::printf("%-24s %18.0f %22.0f %8.2f\n", name, ours, openssl,
                openssl > 0 ? ours / openssl : 0.0);
  };
  std::printf("%-24s %18s %22s %8s\n", "algorithm", "DKIM verify/s/core", "openssl verify/s/core",
              "ratio");
  row("RSA-2048 (key cached)", rsa, openssl_rsa);
  row("Ed25519 (key cached)", ed, openssl_ed);
  row("RSA-2048 (key decoded)", rsa_cold, openssl_rsa);
  row("Ed25519 (key decoded)", ed_cold, openssl_ed);
  return 0;
}
