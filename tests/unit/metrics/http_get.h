// A minimal blocking HTTP/1.0 request over loopback for tests of HTTP endpoints (ours,
// Prometheus's): status, headers and body, with a receive timeout so a silent server fails the test
// instead of hanging it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <string>

namespace portcullis::testing {

struct HttpResponse {
  int status = 0;  // 0: no answer (connection refused, timeout, garbage)
  std::string headers;
  std::string body;
};

// To 127.0.0.1, or to ::1 when `family` is AF_INET6.
inline HttpResponse httpGet(uint16_t port, const std::string& target,
                            const std::string& method = "GET", int family = AF_INET) {
  HttpResponse response;
  int fd = ::socket(family, SOCK_STREAM, 0);
  if (fd < 0) return response;
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sockaddr_in6 address6{};
  address6.sin6_family = AF_INET6;
  address6.sin6_port = htons(port);
  address6.sin6_addr = in6addr_loopback;
  int connected = family == AF_INET6
                      ? ::connect(fd, reinterpret_cast<sockaddr*>(&address6), sizeof address6)
                      : ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  if (connected != 0) {
    ::close(fd);
    return response;
  }
  std::string request = method + " " + target + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return response;
  }
  std::string raw;
  char buffer[8192];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) raw.append(buffer, n);
  ::close(fd);
  size_t end_of_headers = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || end_of_headers == std::string::npos) return response;
  response.status = std::stoi(raw.substr(9, 3));
  response.headers = raw.substr(0, end_of_headers);
  response.body = raw.substr(end_of_headers + 4);
  return response;
}

// A port on 127.0.0.1 that was free a moment ago, for servers that cannot report the port they
// bound (Prometheus): bind to port 0, read the port, close.
inline uint16_t freeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

}  // namespace portcullis::testing
