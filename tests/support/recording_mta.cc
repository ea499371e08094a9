#include "tests/support/recording_mta.h"

#include <toml++/toml.h>

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "tests/support/loopback.h"
#include "tests/support/temp_dir.h"

namespace portcullis::test {

namespace {

std::vector<std::string> strings(toml::node_view<toml::node> node) {
  std::vector<std::string> out;
  if (auto* array = node.as_array()) {
    for (const auto& item : *array) out.push_back(item.value_or(std::string()));
  }
  return out;
}

std::map<std::string, std::string> stringTable(const toml::table& table) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : table)
    out[std::string(key.str())] = value.value_or(std::string());
  return out;
}

}  // namespace

RecordingMta::RecordingMta(const std::filesystem::path& dir, Options options)
    : dir_(dir), options_(std::move(options)), port_(freeLoopbackPort()) {
  std::filesystem::create_directories(dir_ / "messages");
}

void RecordingMta::start() {
  std::vector<std::string> argv = {"/usr/bin/python3",
                                   PORTCULLIS_SOURCE_DIR "/tests/support/recording_smtpd.py",
                                   "--dir",
                                   (dir_ / "messages").string(),
                                   "--port",
                                   std::to_string(port_)};
  for (const auto& a : options_.tempfail) argv.insert(argv.end(), {"--tempfail", a});
  for (const auto& a : options_.permfail) argv.insert(argv.end(), {"--permfail", a});
  if (!options_.dsn) argv.push_back("--no-dsn");
  if (options_.max_line_length > 0) {
    argv.insert(argv.end(), {"--max-line-length", std::to_string(options_.max_line_length)});
  }
  process_ = ChildProcess::start(argv, dir_ / "recorder.log");
  if (!waitForPort(port_)) {
    throw std::runtime_error("recording MTA did not open port " + std::to_string(port_) + ": " +
                             readFile(dir_ / "recorder.log"));
  }
}

void RecordingMta::stop() {
  process_.stop(std::chrono::seconds(5));
}

std::vector<RecordedMessage> RecordingMta::messages() const {
  std::vector<std::filesystem::path> envelopes;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "messages")) {
    if (entry.path().extension() == ".toml") envelopes.push_back(entry.path());
  }
  std::sort(envelopes.begin(), envelopes.end());
  std::vector<RecordedMessage> out;
  for (const auto& path : envelopes) {
    toml::table t = toml::parse_file(path.string());
    RecordedMessage m;
    m.name = path.stem().string();
    m.mail_from = t["mail_from"].value_or(std::string());
    m.mail_options = strings(t["mail_options"]);
    m.rcpt_tos = strings(t["rcpt_tos"]);
    m.smtputf8 = t["smtputf8"].value_or(false);
    if (auto* dsn = t["dsn_mail"].as_table()) m.dsn_mail = stringTable(*dsn);
    if (auto* rcpts = t["dsn_rcpt"].as_array()) {
      for (const auto& r : *rcpts) {
        if (auto* table = r.as_table()) m.dsn_rcpt.push_back(stringTable(*table));
      }
    }
    m.data = readFile(std::filesystem::path(path).replace_extension(".eml"));
    out.push_back(std::move(m));
  }
  return out;
}

size_t RecordingMta::count() const {
  size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "messages")) {
    if (entry.path().extension() == ".toml") ++n;
  }
  return n;
}

bool RecordingMta::waitForCount(size_t n, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (count() < n) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

}  // namespace portcullis::test
