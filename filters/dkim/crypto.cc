#include "filters/dkim/crypto.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

namespace portcullis::dkim {

namespace {

const EVP_MD* fetchOr(const char* name, const EVP_MD* fallback) {
  const EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  return md ? md : fallback;
}

// Fetched once: OpenSSL 3 otherwise looks the implementation up again on every use.
const EVP_MD* mdOf(HashAlgorithm hash) {
  static const EVP_MD* sha1 = fetchOr("SHA1", EVP_sha1());
  static const EVP_MD* sha256 = fetchOr("SHA256", EVP_sha256());
  return hash == HashAlgorithm::Sha1 ? sha1 : sha256;
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string digest(HashAlgorithm hash, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), out, &size, mdOf(hash), nullptr) != 1) return {};
  return std::string(reinterpret_cast<char*>(out), size);
}

PublicKey::PublicKey(EVP_PKEY* key) : key_(key, EVP_PKEY_free) {}

std::optional<PublicKey> PublicKey::rsa(std::string_view der) {
  const unsigned char* p = bytes(der);
  EVP_PKEY* key = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  if (!key) {
    p = bytes(der);
    key = d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(der.size()));
  }
  if (!key) {
    ERR_clear_error();
    return std::nullopt;
  }
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
    EVP_PKEY_free(key);
    return std::nullopt;
  }
  return PublicKey(key);
}

std::optional<PublicKey> PublicKey::ed25519(std::string_view raw) {
  if (raw.size() != 32) return std::nullopt;
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(raw), raw.size());
  if (!key) {
    ERR_clear_error();
    return std::nullopt;
  }
  return PublicKey(key);
}

int PublicKey::bits() const {
  return EVP_PKEY_get_bits(key_.get());
}

bool PublicKey::verify(Algorithm algorithm, std::string_view data,
                       std::string_view signature) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx) return false;
  std::string hashed;
  const EVP_MD* md = nullptr;
  if (algorithm == Algorithm::Ed25519Sha256) {
    hashed = digest(HashAlgorithm::Sha256, data);
    data = hashed;
  } else {
    md = mdOf(hashOf(algorithm));
  }
  bool valid = EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key_.get()) == 1 &&
               EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(data),
                                data.size()) == 1;
  if (!valid) ERR_clear_error();
  return valid;
}

std::optional<PublicKey> KeyCache::get(std::string_view key_type, std::string_view bytes) {
  std::string id(key_type);
  id.push_back(':');
  id.append(bytes);
  {
    std::lock_guard lock(mutex_);
    auto it = keys_.find(id);
    if (it != keys_.end()) return it->second;
  }
  auto key = key_type == "ed25519" ? PublicKey::ed25519(bytes) : PublicKey::rsa(bytes);
  if (!key || capacity_ == 0) return key;
  std::lock_guard lock(mutex_);
  if (keys_.size() >= capacity_) keys_.clear();
  keys_.emplace(std::move(id), *key);
  return key;
}

}  // namespace portcullis::dkim
