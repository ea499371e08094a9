// A private dnsmasq serving test records on 127.0.0.1 at a port chosen at run time, for the
// resolver's integration test and benchmark. It logs every query it receives to a file, so a
// test can tell which lookups reached the server. stop() (or the destructor) terminates it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace portcullis::testing {

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
  void stop();

 private:
  bool start(const std::vector<std::string>& records);
  bool answers() const;

  std::filesystem::path dir_;
  std::filesystem::path log_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace portcullis::testing
