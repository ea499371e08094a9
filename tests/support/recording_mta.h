// Runs tests/support/recording_smtpd.py (the recording internal MTA) on a fixed 127.0.0.1 port,
// which survives stop() and start() so a test can take the "internal MTA" down and bring it back,
// and reads back what it stored: envelope, DSN parameters and the exact message bytes.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/support/child_process.h"

namespace portcullis::test {

struct RecordedMessage {
  std::string name;  // "000001"
  std::string mail_from;
  std::vector<std::string> mail_options;  // as sent, upper-cased by aiosmtpd
  std::vector<std::string> rcpt_tos;
  bool smtputf8 = false;
  std::map<std::string, std::string> dsn_mail;               // RET, ENVID
  std::vector<std::map<std::string, std::string>> dsn_rcpt;  // NOTIFY, ORCPT per recipient
  std::string data;                                          // exact bytes
};

class RecordingMta {
 public:
  struct Options {
    std::vector<std::string> tempfail;  // recipients answered with 450 4.2.0
    std::vector<std::string> permfail;  // recipients answered with 550 5.1.1
    bool dsn = true;                    // advertise DSN and record its parameters
    // Answer "500 Line too long" at the end of DATA when a line has more octets (without CRLF),
    // as an RFC 5321 §4.5.3.1.6 enforcing MTA does; 0: accept any line.
    size_t max_line_length = 0;
  };

  // Stores messages under `dir`/messages and its log in `dir`/recorder.log; picks a free port.
  explicit RecordingMta(const std::filesystem::path& dir, Options options);
  explicit RecordingMta(const std::filesystem::path& dir) : RecordingMta(dir, Options{}) {}

  void start();  // throws when the port does not open
  void stop();
  uint16_t port() const { return port_; }

  std::vector<RecordedMessage> messages() const;
  size_t count() const;
  bool waitForCount(size_t n, std::chrono::milliseconds timeout);

 private:
  std::filesystem::path dir_;
  Options options_;
  uint16_t port_;
  ChildProcess process_;
};

}  // namespace portcullis::test
