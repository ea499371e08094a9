// The set-up of the policy integration tests: a recording internal MTA and a real `portcullis
// serve` relaying to it, whose content check runs a small rule file written here (one phrase per
// action: "tag me please" scores 6, "quarantine me please" 12, "reject me please" 20), both on
// 127.0.0.1 and both stopped when the object goes away. Plus a raw SMTP client that reports every
// reply, so tests can assert the exact code and text of each step.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/gateway_process.h"
#include "tests/support/loopback.h"
#include "tests/support/recording_mta.h"
#include "tests/support/temp_dir.h"

namespace portcullis::test {

inline constexpr std::chrono::seconds kArrivalTimeout{30};
inline constexpr const char* kTagPhrase = "tag me please";
inline constexpr const char* kQuarantinePhrase = "quarantine me please";
inline constexpr const char* kRejectPhrase = "reject me please";

struct PolicyGateway {
  // [policy] gets tag 5, quarantine 10, reject 15 and subject_prefix "[SPAM]" before
  // settings.policy; settings.extra gets the [checks.content] table.
  explicit PolicyGateway(GatewaySettings settings);

  TempDir dir;
  RecordingMta recorder;
  GatewayProcess gateway;
};

// A message with a unique Message-Id; `extra_headers` are whole lines with CRLF.
std::string testMessage(const std::string& subject, const std::string& body,
                        const std::string& extra_headers = "");

// The replies of one transaction: MAIL, each RCPT, and the end of data (code 0 when not reached:
// MAIL refused or no recipient accepted).
struct Exchange {
  SmtpReply mail;
  std::vector<SmtpReply> rcpts;
  SmtpReply data;
};

// Runs MAIL, RCPT for each recipient and, when one was accepted, DATA with `message` on an open
// connection (greeted and EHLO sent).
Exchange transact(RawSmtpConnection& c, const std::string& from,
                  const std::vector<std::string>& rcpts, const std::string& message);
// The same on a new connection, closed with QUIT.
Exchange sendMessage(uint16_t port, const std::string& from, const std::vector<std::string>& rcpts,
                     const std::string& message);

// The recorded message whose Subject line contains `subject`; empty name when none.
RecordedMessage findBySubject(const RecordingMta& recorder, const std::string& subject);
// The header section with folded lines joined.
std::string headerOf(const std::string& message);

}  // namespace portcullis::test
