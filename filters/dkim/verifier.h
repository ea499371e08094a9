// Verifies the DKIM signatures of one message (RFC 6376 §6, RFC 8463) once their key records
// have been fetched: signature and key checks, canonicalisation, body hash, header hash and the
// public-key signature. No I/O: the caller fetches keys (dkim_check) and runs this on the worker
// pool. A MessageVerifier caches body hashes between signatures and is used by one thread at a
// time; results never throw and carry an RFC 8601 result with a reason.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "filters/dkim/message_fields.h"
#include "filters/dkim/signature.h"

namespace portcullis::dkim {

class KeyCache;

enum class Result { Pass, Fail, Neutral, Policy, TempError, PermError };
std::string_view toString(Result result);  // RFC 8601 keywords: "pass", "fail", ...

// What DNS answered for <selector>._domainkey.<domain>.
struct KeyAnswer {
  enum class Status { Found, NotFound, TempFail };
  Status status = Status::NotFound;
  std::vector<std::string> records;  // TXT records, strings concatenated
};

struct VerifyOptions {
  int min_rsa_bits = 1024;               // smaller RSA keys give "policy"
  std::chrono::seconds clock_skew{300};  // allowance for x= (expiry) and t= (future)
  // Header fields (lowercase) of which an unsigned extra instance makes a passing signature
  // "policy": an attacker may add a second From above the signed one (RFC 6376 §8.15).
  std::vector<std::string> single_instance_headers{"from"};
};

struct SignatureResult {
  Result result = Result::PermError;
  std::string reason;  // empty for a pass
  const Signature* signature = nullptr;
  bool testing = false;           // the key record says t=y
  bool future_timestamp = false;  // t= lies beyond now + clock skew (reported, not failed)
  int key_bits = 0;
};

class MessageVerifier {
 public:
  // `message` has CRLF line ends and must outlive the verifier.
  explicit MessageVerifier(std::string_view message);

  const RawMessage& message() const { return message_; }
  // Every DKIM-Signature field of the message, top first, parsed.
  const std::vector<Signature>& signatures() const { return signatures_; }

  // Verifies signatures()[index] with the key records DNS returned; `now` is Unix time.
  // Decoded public keys come from `keys` when given.
  SignatureResult verify(size_t index, const KeyAnswer& key, const VerifyOptions& options,
                         int64_t now, KeyCache* keys = nullptr);

 private:
  std::string headerData(size_t index) const;
  const std::string& bodyHash(const Signature& sig, bool& length_exceeded);

  RawMessage message_;
  std::vector<Signature> signatures_;
  std::vector<size_t> signature_fields_;  // index into message_.fields of each signature
  struct BodyHash {
    std::string hash;
    size_t canonical_size = 0;  // of the whole canonical body, before l= truncation
  };
  std::map<std::tuple<Canonicalization, HashAlgorithm, uint64_t>, BodyHash> body_hashes_;
};

}  // namespace portcullis::dkim
