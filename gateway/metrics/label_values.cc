#include "gateway/metrics/label_values.h"

namespace portcullis::metrics {

RelayResult relayResultFor(int smtp_code) {
  if (smtp_code >= 200 && smtp_code < 300) return RelayResult::Success;
  if (smtp_code >= 400 && smtp_code < 500) return RelayResult::TempFail;
  if (smtp_code >= 500 && smtp_code < 600) return RelayResult::PermFail;
  return RelayResult::Error;
}

std::string_view tlsVersionLabel(std::string_view openssl_version) {
  for (std::string_view known : kTlsVersions) {
    if (known == openssl_version) return known;
  }
  return "other";
}

std::string_view label(ConnectionResult value) {
  switch (value) {
    case ConnectionResult::Accepted:
      return "accepted";
    case ConnectionResult::Rejected:
      return "rejected";
    case ConnectionResult::TempFailed:
      return "tempfailed";
    case ConnectionResult::Overloaded:
      return "overloaded";
    case ConnectionResult::Error:
      return "error";
  }
  return "error";
}

std::string_view label(CheckFailure value) {
  return value == CheckFailure::Timeout ? "timeout" : "error";
}

std::string_view label(ScanResult value) {
  switch (value) {
    case ScanResult::Clean:
      return "clean";
    case ScanResult::Infected:
      return "infected";
    case ScanResult::Error:
      return "error";
  }
  return "error";
}

std::string_view label(RelayResult value) {
  switch (value) {
    case RelayResult::Success:
      return "2xx";
    case RelayResult::TempFail:
      return "4xx";
    case RelayResult::PermFail:
      return "5xx";
    case RelayResult::Error:
      return "error";
  }
  return "error";
}

std::string_view label(ReloadComponent value) {
  switch (value) {
    case ReloadComponent::Rules:
      return "rules";
    case ReloadComponent::Signatures:
      return "signatures";
    case ReloadComponent::Config:
      return "config";
  }
  return "config";
}

std::string_view label(BackgroundTask value) {
  return value == BackgroundTask::Digest ? "digest" : "verdict_history";
}

std::string_view label(TlsDirection value) {
  return value == TlsDirection::Inbound ? "inbound" : "outbound";
}

std::string_view label(Action value) {
  return toString(value);
}

}  // namespace portcullis::metrics
