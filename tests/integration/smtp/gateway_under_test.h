// The common set-up of the SMTP integration tests: a temporary directory holding a recording
// internal MTA and a real `portcullis serve` relaying to it, both started on 127.0.0.1 and both
// stopped when the object goes away (also when the test fails). Plus small helpers: swaks, a
// unique Message-Id, waiting for a sentinel message so "nothing else arrived" can be asserted
// without sleeping.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/gateway_process.h"
#include "tests/support/recording_mta.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace portcullis::test {

inline constexpr std::chrono::seconds kArrivalTimeout{30};

struct GatewayUnderTest {
  explicit GatewayUnderTest(GatewaySettings settings, RecordingMta::Options options = {});

  TempDir dir;
  RecordingMta recorder;
  GatewayProcess gateway;
};

// swaks against 127.0.0.1:port with `args` appended.
CommandResult swaks(uint16_t port, const std::vector<std::string>& args);
// A Message-Id value unique to this test run, e.g. "<portcullis-test-4711-3@example.test>".
std::string uniqueMessageId();
// Sends one ordinary message through the gateway and waits until the recorder holds
// `expected_total` messages: a test that expects a message NOT to arrive checks the recorder after
// this, instead of sleeping.
bool sendSentinelAndWait(GatewayUnderTest& env, size_t expected_total);
// The header section of a message with folded lines joined and runs of blanks made one space.
std::string unfoldedHeader(const std::string& message);
// A self-signed certificate and key for "gw.test" made with openssl in `dir`: {cert, key}.
std::pair<std::string, std::string> makeTestCertificate(const TempDir& dir);

}  // namespace portcullis::test
