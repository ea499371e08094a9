// The common set-up of the virus tests: a recording internal MTA and a real `portcullis serve`
// whose [checks.clamav] loads the project's signatures/ directory, both on 127.0.0.1 in a
// temporary directory and both stopped when the object goes away. Plus sending one message over a
// raw SMTP session to read the gateway's reply to the end of DATA, and a sentinel message that
// lets a test assert what did NOT reach the internal MTA without sleeping.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "tests/support/gateway_process.h"
#include "tests/support/loopback.h"
#include "tests/support/recording_mta.h"
#include "tests/support/temp_dir.h"

namespace portcullis::test {

inline const std::filesystem::path kProjectSignatures = PORTCULLIS_SOURCE_DIR "/signatures";
inline constexpr std::chrono::seconds kArrivalTimeout{30};
inline constexpr std::string_view kSentinelSender = "sentinel@sender.test";

// A [checks.clamav] table loading only the project's signatures (no periodic reload), followed
// by `extra` lines ("key = value\n").
std::string clamavTable(const std::string& extra = "");

struct VirusGateway {
  // `settings.extra` should hold the [checks.clamav] table (clamavTable()); the relay port is set
  // to the recorder's.
  explicit VirusGateway(GatewaySettings settings);

  TempDir dir;
  RecordingMta recorder;
  GatewayProcess gateway;
};

// Sends `message` (any line ends; made CRLF and dot-stuffed here) from `sender` to
// bob@example.org in a fresh SMTP session. Returns the reply to the end of DATA, or the first
// refusal before it; code 0 when the gateway did not answer.
SmtpReply sendMessage(uint16_t port, std::string_view message,
                      std::string_view sender = "alice@sender.test");

// A short clean message carrying `message_id`.
std::string cleanMessage(const std::string& message_id);
// A Message-Id value unique to this test run, e.g. "<virus-test-4711-3@example.test>".
std::string uniqueMessageId();

// Sends a clean message from kSentinelSender and waits until the recorder holds `expected_total`
// messages; false if the gateway refused it or it did not arrive in time.
bool sendSentinelAndWait(VirusGateway& env, size_t expected_total);
// How many recorded messages came from someone other than kSentinelSender.
size_t nonSentinelCount(const RecordingMta& recorder);

// The queue id in a "250 2.0.0 Ok: queued as ID" reply; empty when there is none.
std::string queuedId(const SmtpReply& reply);

}  // namespace portcullis::test
