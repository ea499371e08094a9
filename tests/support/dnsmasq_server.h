// A private dnsmasq serving test records on 127.0.0.1 at a port chosen at run time, for the
// resolver's integration test and benchmark and the gateway's authentication tests. It logs every
// query it receives to a file, so a test can tell which lookups reached the server. pause() makes
// it unresponsive (queries time out) until resume(); stop() (or the destructor) terminates it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace portcullis::test {

class DnsmasqServer {
 public:
  // `records` are dnsmasq configuration lines (txt-record=..., host-record=..., mx-host=...).
  // Throws std::runtime_error when dnsmasq cannot be started or does not answer.
  explicit DnsmasqServer(const std::vector<std::string>& records);
  ~DnsmasqServer();
  DnsmasqServer(const DnsmasqServer&) = delete;
  DnsmasqServer& operator=(const DnsmasqServer&) = delete;

  uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // How many queries for `name` the server has logged so far.
  size_t queriesFor(const std::string& name) const;
  // Waits (bounded) until the server has logged a query for `name`; false if it never did.
  bool waitForQuery(const std::string& name) const;
  // SIGSTOP: the server keeps its port but answers nothing, so lookups time out.
  void pause();
  // SIGCONT after pause().
  void resume();
  void stop();

 private:
  bool start(const std::vector<std::string>& records);
  bool answers() const;

  std::filesystem::path dir_;
  std::filesystem::path log_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace portcullis::test
