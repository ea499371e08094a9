#include "gateway/smtp/session_state.h"

namespace portcullis::smtp {

SessionState::SessionState(ProtocolSettings settings) : settings_(std::move(settings)) {
  if (!settings_.tls_available) settings_.tls_required = false;
}

Reply SessionState::greeting() const {
  return {220, "", settings_.hostname + " ESMTP Portcullis"};
}

SessionState::Step SessionState::reply(Reply r) {
  Step s;
  s.reply = std::move(r);
  return s;
}

SessionState::Step SessionState::error(Reply r) {
  Step s = reply(std::move(r));
  if (countError()) {
    s.reply = replies::tooManyErrors(settings_.hostname);
    s.close = true;
  }
  return s;
}

bool SessionState::countError() {
  return ++errors_ >= settings_.max_errors;
}

SessionState::Step SessionState::onLineTooLong() {
  return error(replies::lineTooLong());
}

SessionState::Step SessionState::onLine(std::string_view line) {
  Command cmd = parseCommand(line);
  // During a BDAT transfer only BDAT, RSET, NOOP and QUIT make sense (RFC 3030 §4).
  if (bdat_in_progress_ && cmd.verb != Verb::Bdat && cmd.verb != Verb::Rset &&
      cmd.verb != Verb::Noop && cmd.verb != Verb::Quit) {
    return error(replies::badSequence("Error: BDAT transfer in progress"));
  }
  switch (cmd.verb) {
    case Verb::Ehlo:
      return onEhlo(cmd.argument, true);
    case Verb::Helo:
      return onEhlo(cmd.argument, false);
    case Verb::Mail:
      return onMail(cmd.argument);
    case Verb::Rcpt:
      return onRcpt(cmd.argument);
    case Verb::Data:
      return onData(cmd.argument);
    case Verb::Bdat:
      return onBdat(cmd.argument);
    case Verb::Rset:
      if (!cmd.argument.empty()) return error(replies::argumentSyntax("Syntax: RSET"));
      resetTransaction();
      return reply(replies::ok());
    case Verb::Noop:
      return reply(replies::ok());
    case Verb::Quit: {
      Step s = reply(replies::closing(settings_.hostname));
      s.close = true;
      return s;
    }
    case Verb::Vrfy:
      if (cmd.argument.empty()) return error(replies::argumentSyntax("Syntax: VRFY address"));
      return reply(replies::cannotVrfy());
    case Verb::Expn:
      return error(replies::notImplemented("Error: EXPN not supported"));
    case Verb::Help:
      return reply({214, "2.0.0", "See RFC 5321; this gateway filters mail for its domains"});
    case Verb::StartTls:
      // Accepted before EHLO and after HELO too, as Postfix does: refusing would only push the
      // client to plaintext, and with TLS required it would contradict the 530 to MAIL.
      if (!settings_.tls_available || tls_active_) {
        return error(tls_active_ ? replies::badSequence("Error: TLS already active")
                                 : replies::notImplemented("Error: STARTTLS not available"));
      }
      if (!cmd.argument.empty()) return error(replies::argumentSyntax("Syntax: STARTTLS"));
      {
        Step s;
        s.request = Request::StartTls;
        s.reply = replies::readyForTls();
        return s;
      }
    case Verb::Auth:
      return error(replies::notImplemented("Error: authentication not enabled"));
    case Verb::Unknown:
      break;
  }
  return error(replies::syntaxError());
}

SessionState::Step SessionState::onEhlo(std::string_view arg, bool esmtp) {
  if (auto bad = validateHelo(arg)) return error(*bad);
  resetTransaction();
  helo_ = std::string(arg);
  esmtp_ = esmtp;
  if (!esmtp) return reply({250, "", settings_.hostname});
  std::string text = settings_.hostname + "\nPIPELINING\nSIZE " +
                     std::to_string(settings_.max_message_size) + "\n8BITMIME";
  if (settings_.tls_available && !tls_active_) text += "\nSTARTTLS";
  text += "\nENHANCEDSTATUSCODES";
  if (settings_.extensions.chunking) text += "\nCHUNKING";
  if (settings_.extensions.dsn) text += "\nDSN";
  if (settings_.extensions.smtputf8) text += "\nSMTPUTF8";
  return reply({250, "", text});
}

SessionState::Step SessionState::onMail(std::string_view arg) {
  if (helo_.empty()) return error(replies::badSequence("Error: send HELO/EHLO first"));
  if (has_mail_) return error(replies::badSequence("Error: nested MAIL command"));
  if (settings_.tls_required && !tls_active_) return error(replies::needsTls());
  Extensions ext = settings_.extensions;
  if (!esmtp_) ext = Extensions{false, false, false};
  auto parsed = parseMailFrom(arg, ext);
  if (auto* r = std::get_if<Reply>(&parsed)) return error(*r);
  auto& mail = std::get<MailFrom>(parsed);
  if (!esmtp_ && (mail.params.size || !mail.params.body.empty())) {
    return error(replies::parameterNotRecognized("SIZE/BODY without EHLO"));
  }
  if (mail.params.size && *mail.params.size > settings_.max_message_size) {
    return error(replies::messageTooBig());
  }
  Step s;
  s.request = Request::Mail;
  s.mail = std::move(mail);
  return s;
}

SessionState::Step SessionState::onRcpt(std::string_view arg) {
  if (!has_mail_) return error(replies::badSequence("Error: need MAIL command"));
  if (envelope_.recipients.size() >= settings_.max_recipients) {
    return reply(replies::tooManyRecipients());
  }
  Extensions ext = settings_.extensions;
  if (!esmtp_) ext = Extensions{false, false, false};
  auto parsed = parseRcptTo(arg, ext);
  if (auto* r = std::get_if<Reply>(&parsed)) return error(*r);
  Step s;
  s.request = Request::Rcpt;
  s.recipient = std::move(std::get<Recipient>(parsed));
  return s;
}

SessionState::Step SessionState::onData(std::string_view arg) {
  if (!arg.empty()) return error(replies::argumentSyntax("Syntax: DATA"));
  if (!has_mail_) return error(replies::badSequence("Error: need MAIL command"));
  if (envelope_.recipients.empty()) return error(replies::badSequence("Error: need RCPT command"));
  if (envelope_.params.body == "BINARYMIME") {
    return error(replies::badSequence("Error: BODY=BINARYMIME requires BDAT"));
  }
  Step s;
  s.request = Request::Data;
  s.reply = replies::startData();
  return s;
}

SessionState::Step SessionState::onBdat(std::string_view arg) {
  auto parsed = parseBdat(arg);
  if (auto* r = std::get_if<Reply>(&parsed)) {
    // Without a valid size the chunk cannot be skipped: the stream is lost, so close.
    Step s = error(*r);
    s.close = true;
    return s;
  }
  Step s;
  s.bdat = std::get<BdatArgs>(parsed);
  if (!esmtp_ || !settings_.extensions.chunking) {
    s.request = Request::BdatDiscard;
    s.reply = replies::notImplemented("Error: CHUNKING not offered");
  } else if (!has_mail_) {
    s.request = Request::BdatDiscard;
    s.reply = replies::badSequence("Error: need MAIL command");
  } else if (envelope_.recipients.empty()) {
    s.request = Request::BdatDiscard;
    s.reply = replies::badSequence("Error: need RCPT command");
  } else {
    s.request = Request::Bdat;
    bdat_in_progress_ = !s.bdat.last;
    return s;
  }
  if (countError()) {
    s.reply = replies::tooManyErrors(settings_.hostname);
    s.close = true;
  }
  return s;
}

void SessionState::mailAccepted(MailFrom mail) {
  has_mail_ = true;
  envelope_ = Envelope{};
  envelope_.mail_from = std::move(mail.address);
  envelope_.params = std::move(mail.params);
}

void SessionState::recipientAccepted(Recipient rcpt) {
  envelope_.recipients.push_back(std::move(rcpt));
}

void SessionState::transactionFinished() {
  resetTransaction();
}

void SessionState::tlsStarted() {
  tls_active_ = true;
  // RFC 3207 §4.2: forget everything learnt before the handshake, including EHLO.
  helo_.clear();
  esmtp_ = false;
  resetTransaction();
}

void SessionState::resetTransaction() {
  has_mail_ = false;
  bdat_in_progress_ = false;
  envelope_ = Envelope{};
}

}  // namespace portcullis::smtp
