// Administrators' password hashes: argon2id through libsodium (crypto_pwhash_str), with
// libsodium's interactive cost (about 0.1 s and 64 MiB per check). The hash string carries its
// own salt and parameters, so hashes made with other costs still verify.
#pragma once

#include <string>
#include <string_view>

#include "gateway/spool/result.h"

namespace portcullis::web {

// The "$argon2id$v=19$m=...,t=...,p=...$salt$hash" string for `password`.
spool::Result<std::string> hashPassword(std::string_view password);
// True when `password` matches `hash`; false for a wrong password and for a malformed hash.
bool verifyPassword(const std::string& hash, std::string_view password);
// Spends the time of one verification, for a login with an unknown user name (so the answer's
// timing does not tell which user names exist).
void verifyNothing(std::string_view password);
// True for a string in the argon2id hash format.
bool isPasswordHash(std::string_view hash);

}  // namespace portcullis::web
