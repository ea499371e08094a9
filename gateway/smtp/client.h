// An SMTP client for talking to the internal MTA: the queue runner's deliveries, proxy mode and
// recipient probes. Speaks ESMTP with PIPELINING (RFC 2920) when offered, STARTTLS
// (opportunistic or required), CHUNKING for byte-exact BDAT delivery, and carries DSN and
// SMTPUTF8 parameters through. One client is one connection, reusable for several transactions.
// Failures are values: a connection problem becomes a synthesized 4xx reply with
// connection_failed set, and marks the client unusable; so does a 421 from the server (it is
// closing the connection, RFC 5321 §3.8).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gateway/core/envelope.h"
#include "gateway/smtp/reply.h"
#include "gateway/smtp/stream.h"

namespace portcullis::smtp {

enum class TlsMode { None, Opportunistic, Required };

struct ClientSettings {
  std::string host = "127.0.0.1";
  uint16_t port = 25;
  std::string helo_name = "localhost";
  TlsMode tls = TlsMode::Opportunistic;
  bool tls_verify = false;
  std::chrono::milliseconds connect_timeout{30'000};
  std::chrono::milliseconds command_timeout{300'000};
  std::chrono::milliseconds data_timeout{600'000};
};

struct TransactionResult {
  Reply mail;
  std::vector<Reply> recipients;  // one per envelope recipient, in order
  Reply data;                     // the final reply to the message (or why it was not sent)
  bool anyRecipientAccepted() const;
};

class Client {
 public:
  Client(ClientSettings settings, asio::ssl::context& tls_context);
  ~Client();

  // Connects, reads the greeting, EHLO (HELO as fallback), STARTTLS per settings. Returns the
  // reply that ended the attempt: 250 on success.
  awaitable<Reply> connect();
  // A whole transaction, pipelined where the server allows it. The message is sent with BDAT
  // when the server offers CHUNKING, else with DATA (dot-stuffed, bare CR/LF made CRLF).
  // `needs_dot_stuffing`, when the caller knows it (lineShape() in line_wrap.h), spares the
  // client a pass over the message to find out.
  awaitable<TransactionResult> send(const Envelope& envelope, std::string_view message,
                                    std::optional<bool> needs_dot_stuffing = std::nullopt);
  // Transaction steps one at a time (proxy mode).
  awaitable<Reply> mail(const Envelope& envelope);
  awaitable<Reply> rcpt(const Recipient& recipient);
  awaitable<Reply> data(std::string_view message,
                        std::optional<bool> needs_dot_stuffing = std::nullopt);
  awaitable<Reply> rset();
  awaitable<void> quit();

  bool usable() const { return usable_; }
  // True from an accepted MAIL until the server's final reply to the message, or an accepted RSET:
  // the server holds a transaction that must end before the connection serves another.
  bool transactionOpen() const { return transaction_open_; }
  // For a connection that waited idle: true when the server has neither closed it nor sent
  // anything unasked (such as a 421 before its own idle timeout) since its last reply.
  bool quietSinceLastReply();
  bool supports(const std::string& extension) const { return extensions_.count(extension) > 0; }
  bool tlsActive() const { return tls_active_; }
  std::optional<TlsInfo> tlsInfo() const;  // the session's TLS facts, once STARTTLS succeeded
  size_t transactionsSent() const { return transactions_; }

 private:
  awaitable<Reply> readReply(std::chrono::milliseconds timeout);
  awaitable<Reply> command(std::string line);
  awaitable<Reply> ehlo();
  std::string mailCommand(const Envelope& envelope) const;
  std::string rcptCommand(const Recipient& rcpt) const;
  awaitable<Reply> sendBody(std::string_view message, std::optional<bool> needs_dot_stuffing);
  Reply lost(std::string_view what);

  ClientSettings settings_;
  asio::ssl::context& tls_context_;
  std::unique_ptr<Stream> stream_;
  std::set<std::string> extensions_;
  bool usable_ = false;
  bool tls_active_ = false;
  bool transaction_open_ = false;
  size_t transactions_ = 0;
};

// The message as DATA sends it: every line end CRLF, leading dots doubled, ends with CRLF.CRLF.
std::string dotStuff(std::string_view message);
// False when dotStuff(message) is just `message` followed by ".\r\n" (every line ends with CRLF
// and none starts with a dot), so the message can be sent as it is.
bool needsDotStuffing(std::string_view message);

}  // namespace portcullis::smtp
