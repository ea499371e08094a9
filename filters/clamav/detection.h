// Turns what libclamav reported into the gateway's vocabulary: a real signature match, an
// exceeded scan limit (which limit: Heuristics.Limits.Exceeded.*) or an encrypted archive or
// document (Heuristics.Encrypted.*), each with its own symbol name.
#pragma once

#include <string>
#include <string_view>

namespace portcullis::clamav {

inline constexpr std::string_view kVirusSymbol = "CLAMAV_VIRUS";
inline constexpr std::string_view kEncryptedSymbol = "CLAMAV_ENCRYPTED";

struct Detection {
  enum class Kind { Signature, LimitExceeded, Encrypted };
  Kind kind = Kind::Signature;
  std::string symbol;     // e.g. CLAMAV_VIRUS, CLAMAV_LIMIT_MAX_RECURSION, CLAMAV_ENCRYPTED
  std::string signature;  // the name libclamav reported
};

Detection classifyDetection(std::string_view signature);

}  // namespace portcullis::clamav
