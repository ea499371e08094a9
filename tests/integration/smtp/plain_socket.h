// A bare TCP client on 127.0.0.1 for the tests that watch the wire itself: how many reads a group
// of replies takes, how long a reply takes, and what a connection gets first. The descriptor is
// closed when the object goes away.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace portcullis::test {

class PlainSocket {
 public:
  // Connects (blocking); check ok().
  explicit PlainSocket(uint16_t port);
  PlainSocket(PlainSocket&& other) noexcept;
  PlainSocket(const PlainSocket&) = delete;
  PlainSocket& operator=(const PlainSocket&) = delete;
  ~PlainSocket();

  bool ok() const { return fd_ >= 0; }
  bool send(std::string_view bytes);
  // One read of what has arrived, waiting up to `timeout` for something; "" on timeout or close.
  std::string readOnce(std::chrono::milliseconds timeout);
  // Reads until `replies` complete replies (final lines "NNN ...") arrived in total; returns them
  // and sets `reads` to the number of reads it took. Stops early on timeout or close.
  std::string readReplies(size_t replies, std::chrono::milliseconds timeout, int& reads);
  void close();

 private:
  int fd_ = -1;
};

// Number of final reply lines ("250 ...", as opposed to "250-...") in `text`.
size_t countFinalReplies(std::string_view text);

}  // namespace portcullis::test
