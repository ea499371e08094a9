#include "filters/clamav/detection.h"

#include <array>
#include <utility>

namespace portcullis::clamav {
namespace {

constexpr std::string_view kLimitPrefix = "Heuristics.Limits.Exceeded.";
constexpr std::string_view kEncryptedPrefix = "Heuristics.Encrypted.";

// libclamav's limit names (libclamav/scanners.c, cli_check_scan_limits / cli_checktimelimit).
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kLimitSymbols{{
    {"MaxScanSize", "CLAMAV_LIMIT_MAX_SCAN_SIZE"},
    {"MaxFileSize", "CLAMAV_LIMIT_MAX_FILE_SIZE"},
    {"MaxFiles", "CLAMAV_LIMIT_MAX_FILES"},
    {"MaxRecursion", "CLAMAV_LIMIT_MAX_RECURSION"},
    {"MaxScanTime", "CLAMAV_LIMIT_MAX_SCAN_TIME"},
}};

}  // namespace

Detection classifyDetection(std::string_view signature) {
  Detection d;
  d.signature = std::string(signature);
  if (signature.starts_with(kLimitPrefix)) {
    d.kind = Detection::Kind::LimitExceeded;
    std::string_view limit = signature.substr(kLimitPrefix.size());
    d.symbol = "CLAMAV_LIMIT_EXCEEDED";
    for (const auto& [name, symbol] : kLimitSymbols) {
      if (limit.starts_with(name) && (limit.size() == name.size() || limit[name.size()] == '.')) {
        d.symbol = std::string(symbol);
      }
    }
  } else if (signature.starts_with(kEncryptedPrefix)) {
    d.kind = Detection::Kind::Encrypted;
    d.symbol = std::string(kEncryptedSymbol);
  } else {
    d.kind = Detection::Kind::Signature;
    d.symbol = std::string(kVirusSymbol);
  }
  return d;
}

}  // namespace portcullis::clamav
