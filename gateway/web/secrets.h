// The small cryptographic vocabulary of the web console, on libsodium: random tokens (session ids,
// CSRF tokens, keys), constant-time comparison, HMAC-SHA-256 and URL-safe base64 without padding.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace portcullis::web {

// Initializes libsodium once (thread safe); throws std::runtime_error when it cannot.
void initializeSodium();
// `bytes` random bytes, as URL-safe base64.
std::string randomToken(size_t bytes = 32);
// `bytes` random bytes, raw.
std::string randomBytes(size_t bytes);
// Compares in time that depends only on the lengths.
bool constantTimeEquals(std::string_view a, std::string_view b);
// HMAC-SHA-256 of `message` under `key` (raw 32 bytes).
std::string hmacSha256(std::string_view key, std::string_view message);
std::string base64Url(std::string_view bytes);
// nullopt when `text` is not URL-safe base64 without padding.
std::optional<std::string> fromBase64Url(std::string_view text);

}  // namespace portcullis::web
