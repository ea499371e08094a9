// Helpers for the DKIM tests: reading the shared test data (LF files normalised to CRLF, mbox
// "From " lines dropped), loading the DNS TSV files into a StaticResolver, and verifying every
// signature of a message synchronously against it.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "filters/dkim/verifier.h"
#include "gateway/dns/static_resolver.h"

namespace portcullis::dkim::testing {

inline std::filesystem::path dataDir() {
  return std::filesystem::path(PORTCULLIS_SHARED_DIR) / "testdata" / "dkim";
}

inline std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Bare LF becomes CRLF; a leading mbox "From " line is removed.
inline std::string toWireFormat(std::string text) {
  if (text.rfind("From ", 0) == 0) text.erase(0, text.find('\n') + 1);
  std::string out;
  out.reserve(text.size() + text.size() / 20);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out.push_back('\r');
    out.push_back(text[i]);
  }
  return out;
}

inline std::string readMessage(const std::filesystem::path& path) {
  return toWireFormat(readFile(path));
}

// "<name>\t<TXT>" lines (# comments); `separator` is ' ' for mail-auth's inline records.
inline void loadDns(dns::StaticResolver& resolver, const std::string& text, char separator = '\t') {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    size_t sep = line.find(separator);
    if (sep == std::string::npos) continue;
    resolver.add(line.substr(0, sep), dns::RrType::TXT, line.substr(sep + 1));
  }
}

inline KeyAnswer keyAnswer(const dns::StaticResolver& resolver, const Signature& sig) {
  auto answer = resolver.lookup(sig.selector + "._domainkey." + sig.domain, dns::RrType::TXT);
  KeyAnswer key;
  if (answer.ok()) {
    key.status = KeyAnswer::Status::Found;
    key.records = answer.records;
  } else if (answer.temporaryFailure()) {
    key.status = KeyAnswer::Status::TempFail;
  }
  return key;
}

struct Verified {
  std::vector<Result> results;
  std::vector<std::string> reasons;
  std::vector<SignatureResult> details;
};

inline Verified verifyAll(const std::string& message, const dns::StaticResolver& resolver,
                          int64_t now, const VerifyOptions& options = {}) {
  MessageVerifier verifier(message);
  Verified out;
  for (size_t i = 0; i < verifier.signatures().size(); ++i) {
    auto r = verifier.verify(i, keyAnswer(resolver, verifier.signatures()[i]), options, now);
    out.results.push_back(r.result);
    out.reasons.push_back(r.reason);
    r.signature = nullptr;  // points into the verifier, which ends here
    out.details.push_back(r);
  }
  return out;
}

}  // namespace portcullis::dkim::testing
