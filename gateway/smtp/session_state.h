// The SMTP server's protocol state machine (RFC 5321 §4.1.4 command order, RFC 3030 BDAT, RFC
// 3207 STARTTLS), without I/O: it takes command lines and answers with the reply to send or with
// a request the I/O driver must carry out (run checks for MAIL/RCPT, read DATA or a BDAT chunk,
// start TLS). The driver reports the outcome back (mailAccepted, recipientAccepted, ...). It also
// counts errors, so a client that keeps failing is disconnected.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/core/envelope.h"
#include "gateway/smtp/command.h"
#include "gateway/smtp/reply.h"

namespace portcullis::smtp {

struct ProtocolSettings {
  std::string hostname = "localhost";
  uint64_t max_message_size = 50ull << 20;
  size_t max_recipients = 1000;
  size_t max_errors = 20;
  bool tls_available = false;
  bool tls_required = false;
  Extensions extensions;
};

class SessionState {
 public:
  enum class Request {
    Reply,        // send `reply`; then close the connection if `close`
    Mail,         // run MAIL checks for `mail`; then mailAccepted() or reject
    Rcpt,         // check `recipient` (relay rules, verification, checks); then recipientAccepted()
    Data,         // send 354, read the message, finish it, then transactionFinished()
    Bdat,         // read `bdat.size` bytes; if `bdat.last` finish the message
    BdatDiscard,  // read and drop `bdat.size` bytes, then send `reply` (a BDAT that cannot be used)
    StartTls,     // send 220, do the handshake, then tlsStarted()
  };

  struct Step {
    Request request = Request::Reply;
    Reply reply;
    bool close = false;
    MailFrom mail;
    Recipient recipient;
    BdatArgs bdat;
  };

  explicit SessionState(ProtocolSettings settings);

  Reply greeting() const;
  Step onLine(std::string_view line);
  // A line longer than the limit arrived (it was discarded).
  Step onLineTooLong();

  void mailAccepted(MailFrom mail);
  void recipientAccepted(Recipient rcpt);
  // After DATA or the last BDAT chunk (accepted or not): ready for the next transaction.
  void transactionFinished();
  void tlsStarted();
  // Counts a rejection decided by the driver (policy, unknown user) towards the error limit;
  // returns true when the client has now made too many errors and must be disconnected.
  bool countError();

  bool inTransaction() const { return has_mail_; }
  bool inBdat() const { return bdat_in_progress_; }
  bool tlsActive() const { return tls_active_; }
  bool esmtp() const { return esmtp_; }
  const std::string& helo() const { return helo_; }
  const Envelope& envelope() const { return envelope_; }
  const ProtocolSettings& settings() const { return settings_; }

 private:
  Step reply(Reply r);
  Step error(Reply r);
  Step onEhlo(std::string_view arg, bool esmtp);
  Step onMail(std::string_view arg);
  Step onRcpt(std::string_view arg);
  Step onData(std::string_view arg);
  Step onBdat(std::string_view arg);
  void resetTransaction();

  ProtocolSettings settings_;
  std::string helo_;
  bool esmtp_ = false;
  bool tls_active_ = false;
  bool has_mail_ = false;
  bool bdat_in_progress_ = false;
  size_t errors_ = 0;
  Envelope envelope_;
};

}  // namespace portcullis::smtp
