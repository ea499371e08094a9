// The bounded vocabularies the gateway's metrics are labelled with, and their label values. Each
// enum lists every value a label can take, so a family's cardinality is fixed by the code (rule
// and check names are bounded by the configuration instead). The strings are part of the metrics
// contract documented in gateway/metrics/README.md: dashboards and alerts match on them.
#pragma once

#include <array>
#include <string_view>

#include "gateway/core/action.h"

namespace portcullis::metrics {

// How an inbound SMTP (or milter) connection ended its greeting phase.
enum class ConnectionResult {
  Accepted,    // greeted with 220 and served
  Rejected,    // refused at connect (554): IP policy, DNSBL
  TempFailed,  // refused at connect with 421: a tempfail check
  Overloaded,  // refused because a connection limit was reached
  Error        // I/O error or the client vanished before the greeting
};
inline constexpr std::array kConnectionResults{
    ConnectionResult::Accepted, ConnectionResult::Rejected, ConnectionResult::TempFailed,
    ConnectionResult::Overloaded, ConnectionResult::Error};

// Why a check did not produce a result (the pipeline's CheckOutcome minus Ok).
enum class CheckFailure { Timeout, Error };
inline constexpr std::array kCheckFailures{CheckFailure::Timeout, CheckFailure::Error};

// The outcome of one ClamAV scan.
enum class ScanResult { Clean, Infected, Error };
inline constexpr std::array kScanResults{ScanResult::Clean, ScanResult::Infected,
                                         ScanResult::Error};

// The class of the internal MTA's answer to one relay attempt; Error: no SMTP answer at all
// (connection refused, timeout, TLS failure).
enum class RelayResult { Success, TempFail, PermFail, Error };
inline constexpr std::array kRelayResults{RelayResult::Success, RelayResult::TempFail,
                                          RelayResult::PermFail, RelayResult::Error};
// 2xx, 4xx, 5xx by the reply code; anything else (including 0 for "no reply") is Error.
RelayResult relayResultFor(int smtp_code);

// What a reload (SIGHUP, a changed signature directory) replaced.
enum class ReloadComponent { Rules, Signatures, Config };
inline constexpr std::array kReloadComponents{ReloadComponent::Rules, ReloadComponent::Signatures,
                                              ReloadComponent::Config};

// Work the gateway does on a timer, off the mail path, whose failures only a log line would show.
enum class BackgroundTask { Digest, VerdictHistory };
inline constexpr std::array kBackgroundTasks{BackgroundTask::Digest,
                                             BackgroundTask::VerdictHistory};

// Inbound: STARTTLS offered to SMTP clients; outbound: the relay's STARTTLS to the internal MTA.
enum class TlsDirection { Inbound, Outbound };
inline constexpr std::array kTlsDirections{TlsDirection::Inbound, TlsDirection::Outbound};
// The protocol versions a TLS session is counted under (OpenSSL's SSL_get_version() names);
// any other name is counted as "other".
inline constexpr std::array<std::string_view, 5> kTlsVersions{"TLSv1", "TLSv1.1", "TLSv1.2",
                                                              "TLSv1.3", "other"};
std::string_view tlsVersionLabel(std::string_view openssl_version);

inline constexpr std::array kActions{Action::Accept,   Action::Tag,    Action::Quarantine,
                                     Action::TempFail, Action::Reject, Action::Discard};

std::string_view label(ConnectionResult value);
std::string_view label(CheckFailure value);
std::string_view label(ScanResult value);
std::string_view label(RelayResult value);
std::string_view label(ReloadComponent value);
std::string_view label(BackgroundTask value);
std::string_view label(TlsDirection value);
std::string_view label(Action value);

}  // namespace portcullis::metrics
