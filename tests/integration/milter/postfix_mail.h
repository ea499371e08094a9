// What the milter tests do around a private Postfix (postfix-instance.sh): start and stop it, send
// a message through it with swaks (each with a unique token in its Subject), find what it
// delivered to a RecordingMta or kept in its hold queue, and read header fields of a delivered
// message. Every wait is bounded.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "tests/support/recording_mta.h"

namespace portcullis::milter_test {

// Polls `condition` every 50 ms until it holds or `limit` passes; returns its last value.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds limit = std::chrono::seconds(60));

struct ShellResult {
  int status = -1;
  std::string output;  // stdout and stderr
};

ShellResult runShell(const std::string& shell_command);

// Starts a private Postfix in `dir` listening on a free port, relaying to 127.0.0.1:relay_port and
// calling the milter at inet:127.0.0.1:milter_port with `protocol`, giving it `content_timeout`
// for the end of message. Returns its SMTP port; throws with Postfix's message on failure.
uint16_t startPostfix(const std::filesystem::path& dir, uint16_t relay_port, uint16_t milter_port,
                      int protocol, const std::string& content_timeout);
void stopPostfix(const std::filesystem::path& dir);
// True once Postfix in `dir` lists `queue_id` in its hold queue (postqueue -j).
bool inHoldQueue(const std::filesystem::path& dir, const std::string& queue_id);

struct Sent {
  ShellResult result;
  std::string token;     // unique, in the Subject after `subject`
  std::string queue_id;  // from "queued as"
};

// One message from sender@sender.test to rcpt@example.test; `extra` are further swaks options.
Sent sendThrough(uint16_t port, const std::string& subject, const std::string& extra = "");
// The same from `from` to `to` (recipients separated by commas).
Sent sendFromTo(uint16_t port, const std::string& from, const std::string& to,
                const std::string& subject, const std::string& extra = "");

// The recorded message carrying `token`, waiting up to `limit` for it; empty when it never came.
std::string deliveredMessage(const test::RecordingMta& recorder, const std::string& token,
                             std::chrono::milliseconds limit = std::chrono::seconds(60));

// Header fields of a message, one "Name: value" per entry, unfolded, in order.
std::vector<std::string> headerLines(const std::string& message);
int countPrefix(const std::vector<std::string>& headers, const std::string& prefix);
// The value (after "Name:", leading space kept) of the first field called `name`; empty if none.
std::string headerValue(const std::vector<std::string>& headers, const std::string& name);

}  // namespace portcullis::milter_test
