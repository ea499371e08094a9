// One connection from the MTA speaking the milter protocol (milter_protocol.h), natively on Asio:
// it reads packets, keeps the macros the MTA defines per stage, drives one MilterSession per SMTP
// connection (a fresh one after SMFIC_QUIT_NC) against the FilterContext current at that SMTP
// connection's SMFIC_CONNECT, and answers. Everything the MTA sent in one read is handled before
// the replies leave, in one write (the end of message's header edits and verdict together), made
// at once on the non-blocking socket (asynchronously only for what the socket did not take).
// Promises: every command that expects a reply gets exactly one; a malformed or oversized packet,
// an MTA silent for `mta_timeout`, or close() ends the connection, and run() returns only once no
// stage is running.
#pragma once

#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/generic/stream_protocol.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gateway/core/asio.h"
#include "gateway/milter/milter_protocol.h"
#include "gateway/milter/milter_session.h"
#include "gateway/milter/milter_settings.h"
#include "gateway/pipeline/filter_context.h"

namespace portcullis::milter {

using MilterSocket = asio::generic::stream_protocol::socket;
using ContextSource = std::function<std::shared_ptr<const FilterContext>()>;

class MilterConnection : public std::enable_shared_from_this<MilterConnection> {
 public:
  // `socket`'s executor must be a strand or a single-threaded io_context: the connection and its
  // session's checks run on it. `tcp`: the socket is a TCP connection (not a local socket).
  MilterConnection(MilterSocket socket, ContextSource current_context,
                   const MilterSettings& settings, bool tcp);
  ~MilterConnection();
  MilterConnection(const MilterConnection&) = delete;
  MilterConnection& operator=(const MilterConnection&) = delete;

  // Serves the MTA until it quits, fails or goes silent, or close() is called.
  awaitable<void> run();
  // Closes the socket from any thread (on the connection's strand).
  void close();
  MilterSocket::executor_type executor() { return socket_.get_executor(); }

 private:
  awaitable<void> serve();

  // Handles one packet other than RCPT and the end of message (the stages that wait for checks),
  // appending its reply (if any) to out_; false ends the connection.
  bool handle(const protocol::Packet& packet);
  bool negotiate(std::string_view data);
  void defineMacros(std::string_view data);
  void connect(std::string_view data);
  void mail(std::string_view data);
  awaitable<void> recipient(std::string_view data);
  awaitable<void> endOfMessage(std::string_view data);
  void reply(const StageResult& result);
  // Answers "continue" unless the MTA agreed to expect no reply for this step.
  void continueUnless(uint32_t no_reply_step);
  // The macro's value from the most recent stage that defined it ("i" and "{i}" are the same).
  std::string macro(std::string_view name) const;
  void clearTransactionMacros();
  // Closes the socket once the MTA has been silent for mta_timeout (a timer, re-armed when it
  // fires early, cancelled when serve() ends).
  void watchSilence();

  MilterSocket socket_;
  ContextSource current_context_;
  MilterSettings settings_;
  asio::steady_timer silence_;
  std::chrono::steady_clock::time_point last_heard_;
  bool tcp_;
  bool open_ = true;
  uint32_t actions_ = 0;  // negotiated SMFIF_* actions
  uint32_t steps_ = 0;    // negotiated SMFIP_* steps
  bool quick_ack_ = false;
  // Macros by the stage they were defined for, in the order the stages come: each stage's names
  // and values as the MTA sent them (NUL-terminated, alternating), read when a stage needs one.
  std::vector<std::pair<char, std::string>> macros_;
  std::unique_ptr<MilterSession> session_;
  std::unique_ptr<char[]> input_;
  size_t input_size_;
  size_t input_begin_ = 0;
  size_t input_end_ = 0;
  std::string out_;
};

}  // namespace portcullis::milter
