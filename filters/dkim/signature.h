// A parsed DKIM-Signature header field (RFC 6376 §3.5, RFC 8463 for ed25519-sha256). Parsing is
// pure and never throws: a signature the verifier must ignore carries the reason in `error`
// (a PERMFAIL in RFC 6376 terms) with as many fields filled in as could be read, for reporting.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portcullis::dkim {

enum class Algorithm { RsaSha1, RsaSha256, Ed25519Sha256 };
enum class Canonicalization { Simple, Relaxed };
enum class HashAlgorithm { Sha1, Sha256 };

HashAlgorithm hashOf(Algorithm algorithm);
std::string_view keyTypeOf(Algorithm algorithm);  // "rsa" or "ed25519"

struct Signature {
  std::string algorithm_name;  // a= as written, lowercased
  Algorithm algorithm = Algorithm::RsaSha256;
  Canonicalization header_canon = Canonicalization::Simple;
  Canonicalization body_canon = Canonicalization::Simple;
  std::string domain;                       // d= (SDID), lowercased
  std::string selector;                     // s=
  std::string auid;                         // i=, or "@" + d= when absent
  std::vector<std::string> signed_headers;  // h=, lowercased, in order
  std::string body_hash;                    // bh=, decoded
  std::string signature;                    // b=, decoded
  std::string signature_prefix;             // b= as written, its first 8 characters
  std::optional<uint64_t> body_length;      // l=
  std::optional<int64_t> timestamp;         // t=
  std::optional<int64_t> expiration;        // x=
  // The b= value inside the field value (offsets into the text after "DKIM-Signature:").
  size_t b_value_begin = 0;
  size_t b_value_end = 0;
  std::string error;  // empty when the signature is usable
  bool ok() const { return error.empty(); }
};

// Parses the value of a DKIM-Signature field (the raw text after the colon, folding kept).
Signature parseSignature(std::string_view field_value);

// Decodes base64 ignoring whitespace; nullopt when malformed.
std::optional<std::string> decodeBase64(std::string_view text);

// True when `domain` equals `parent` or is a subdomain of it (both lowercased).
bool isSameOrSubdomain(std::string_view domain, std::string_view parent);

}  // namespace portcullis::dkim
