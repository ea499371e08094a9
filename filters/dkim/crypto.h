// The OpenSSL side of DKIM: digests, public keys from key records (RSA SubjectPublicKeyInfo or
// PKCS#1, raw Ed25519) and signature verification, including RFC 8463's rule that Ed25519 signs
// the SHA-256 hash of the header data. Thread-safe; keys are immutable once loaded.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "filters/dkim/signature.h"

using EVP_PKEY = struct evp_pkey_st;

namespace portcullis::dkim {

std::string digest(HashAlgorithm hash, std::string_view data);

class PublicKey {
 public:
  // nullopt when `der` is not an RSA public key (SubjectPublicKeyInfo or RSAPublicKey).
  static std::optional<PublicKey> rsa(std::string_view der);
  // nullopt when `raw` is not a 32-byte Ed25519 public key.
  static std::optional<PublicKey> ed25519(std::string_view raw);

  int bits() const;
  // Verifies `signature` over `data` with the algorithm's hash (for Ed25519: over SHA-256(data)).
  bool verify(Algorithm algorithm, std::string_view data, std::string_view signature) const;

 private:
  explicit PublicKey(EVP_PKEY* key);
  std::shared_ptr<EVP_PKEY> key_;
};

// Public keys already decoded, by key type and key bytes: decoding a DER key costs OpenSSL 3 more
// than the RSA verification itself, and a busy gateway sees the same few keys all day.
// Thread-safe; holds at most `capacity` keys (when full it starts over).
class KeyCache {
 public:
  explicit KeyCache(size_t capacity) : capacity_(capacity) {}
  // The key for `key_type` ("rsa" or "ed25519") and `bytes` (p= decoded); nullopt when invalid.
  std::optional<PublicKey> get(std::string_view key_type, std::string_view bytes);

 private:
  size_t capacity_;
  std::mutex mutex_;
  std::map<std::string, PublicKey, std::less<>> keys_;
};

}  // namespace portcullis::dkim
