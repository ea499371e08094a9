#include "tests/integration/milter/postfix_mail.h"

#include <unistd.h>

#include <atomic>
#include <regex>
#include <stdexcept>
#include <thread>

#include "tests/support/json_lines.h"
#include "tests/support/loopback.h"
#include "tests/support/run_command.h"

namespace portcullis::milter_test {

namespace {

using namespace std::chrono_literals;

const std::string kInstanceScript =
    PORTCULLIS_SOURCE_DIR "/tests/integration/milter/postfix-instance.sh";

std::atomic<int> token_counter{0};

std::string uniqueToken() {
  return "t" + std::to_string(::getpid()) + "x" + std::to_string(++token_counter);
}

}  // namespace

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return condition();
}

ShellResult runShell(const std::string& shell_command) {
  auto r = test::runCommand({"/bin/sh", "-c", shell_command + " 2>&1"}, "", 120s);
  return {r.exit_code, r.output};
}

uint16_t startPostfix(const std::filesystem::path& dir, uint16_t relay_port, uint16_t milter_port,
                      int protocol, const std::string& content_timeout) {
  uint16_t port = test::freeLoopbackPort();
  auto started =
      runShell(kInstanceScript + " start " + dir.string() + " " + std::to_string(port) + " " +
               std::to_string(relay_port) + " inet:127.0.0.1:" + std::to_string(milter_port) + " " +
               std::to_string(protocol) + " " + content_timeout);
  if (started.status != 0) throw std::runtime_error("postfix: " + started.output);
  return port;
}

void stopPostfix(const std::filesystem::path& dir) {
  runShell(kInstanceScript + " stop " + dir.string());
}

bool inHoldQueue(const std::filesystem::path& dir, const std::string& queue_id) {
  auto queue = runShell("postqueue -c " + (dir / "etc").string() + " -j");
  for (const auto& message : test::jsonLines(queue.output)) {
    if (test::jsonString(message, "queue_name") == "hold" &&
        test::jsonString(message, "queue_id") == queue_id)
      return true;
  }
  return false;
}

Sent sendThrough(uint16_t port, const std::string& subject, const std::string& extra) {
  return sendFromTo(port, "sender@sender.test", "rcpt@example.test", subject, extra);
}

Sent sendFromTo(uint16_t port, const std::string& from, const std::string& to,
                const std::string& subject, const std::string& extra) {
  Sent sent;
  sent.token = uniqueToken();
  sent.result =
      runShell("swaks --server 127.0.0.1:" + std::to_string(port) + " --helo client.test --from '" +
               from + "' --to '" + to + "' --timeout 60 --header 'Subject: " + subject + " " +
               sent.token + "' " + extra);
  std::smatch m;
  if (std::regex_search(sent.result.output, m, std::regex("queued as ([0-9A-Za-z]+)"))) {
    sent.queue_id = m[1];
  }
  return sent;
}

std::string deliveredMessage(const test::RecordingMta& recorder, const std::string& token,
                             std::chrono::milliseconds limit) {
  std::string found;
  eventually(
      [&] {
        for (const auto& m : recorder.messages()) {
          if (m.data.find(token) != std::string::npos) {
            found = m.data;
            return true;
          }
        }
        return false;
      },
      limit);
  return found;
}

std::vector<std::string> headerLines(const std::string& message) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < message.size()) {
    size_t eol = message.find('\n', pos);
    std::string line = message.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) break;
    if ((line[0] == ' ' || line[0] == '\t') && !out.empty()) {
      out.back() += line;
    } else {
      out.push_back(line);
    }
    if (eol == std::string::npos) break;
    pos = eol + 1;
  }
  return out;
}

int countPrefix(const std::vector<std::string>& headers, const std::string& prefix) {
  int n = 0;
  for (const auto& h : headers) n += h.rfind(prefix, 0) == 0;
  return n;
}

std::string headerValue(const std::vector<std::string>& headers, const std::string& name) {
  for (const auto& h : headers) {
    if (h.rfind(name + ":", 0) == 0) return h.substr(name.size() + 1);
  }
  return {};
}

}  // namespace portcullis::milter_test
