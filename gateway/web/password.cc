#include "gateway/web/password.h"

#include <sodium.h>

#include "gateway/web/secrets.h"

namespace portcullis::web {

namespace {

constexpr std::string_view kArgon2idPrefix = "$argon2id$";

}  // namespace

spool::Result<std::string> hashPassword(std::string_view password) {
  using R = spool::Result<std::string>;
  initializeSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return R::failure("cannot hash the password (out of memory?)");
  }
  return R::success(std::string(out));
}

bool verifyPassword(const std::string& hash, std::string_view password) {
  initializeSodium();
  if (!isPasswordHash(hash)) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

void verifyNothing(std::string_view password) {
  static const std::string dummy = [] {
    auto hash = hashPassword(randomToken());
    return hash ? *hash : std::string();
  }();
  verifyPassword(dummy, password);
}

bool isPasswordHash(std::string_view hash) {
  return hash.substr(0, kArgon2idPrefix.size()) == kArgon2idPrefix &&
         hash.size() < crypto_pwhash_STRBYTES;
}

}  // namespace portcullis::web
