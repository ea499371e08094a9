#include "gateway/smtp/client.h"

#include <boost/asio/connect.hpp>

#include <cstring>

#include <fmt/format.h>

#include "gateway/base/text.h"
#include "gateway/smtp/line_wrap.h"

namespace portcullis::smtp {

namespace {
constexpr size_t kMaxReplyLine = 4096;
constexpr size_t kMaxReplyLines = 100;

// A reply the client makes up because the server gave none (see Reply::connection_failed).
Reply connectionFailure(int code, std::string enhanced, std::string text) {
  Reply reply{code, std::move(enhanced), std::move(text)};
  reply.connection_failed = true;
  return reply;
}
}  // namespace

bool TransactionResult::anyRecipientAccepted() const {
  for (const auto& r : recipients) {
    if (r.positive()) return true;
  }
  return false;
}

std::optional<TlsInfo> Client::tlsInfo() const {
  if (!tls_active_ || !stream_) return std::nullopt;
  return stream_->tlsInfo();
}

std::string dotStuff(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 50 + 5);
  const char* at = message.data();
  const char* const stop = message.data() + message.size();
  // Line by line: the text up to the first CR or LF, then CRLF for whichever line end it had
  // (CRLF, or a bare CR or LF); a line that starts with a dot gets another.
  while (at < stop) {
    auto* lf = static_cast<const char*>(std::memchr(at, '\n', static_cast<size_t>(stop - at)));
    const char* line_end = lf ? lf : stop;
    auto* cr = static_cast<const char*>(std::memchr(at, '\r', static_cast<size_t>(line_end - at)));
    const char* text_end = cr ? cr : line_end;
    if (*at == '.') out.push_back('.');
    out.append(at, text_end);
    out += "\r\n";
    if (text_end == stop) break;
    at = text_end + (text_end[0] == '\r' && text_end + 1 < stop && text_end[1] == '\n' ? 2 : 1);
  }
  out += ".\r\n";
  return out;
}

bool needsDotStuffing(std::string_view message) {
  return lineShape(message).needs_dot_stuffing;
}

Client::Client(ClientSettings settings, asio::ssl::context& tls_context)
    : settings_(std::move(settings)), tls_context_(tls_context) {}

Client::~Client() {
  if (stream_) stream_->abort();
}

Reply Client::lost(std::string_view what) {
  usable_ = false;
  std::string reason = stream_ ? stream_->lastError() : std::string("not connected");
  if (stream_) stream_->abort();
  return connectionFailure(421, "4.4.2",
                           fmt::format("lost connection with {}:{} while {}: {}", settings_.host,
                                       settings_.port, what, reason));
}

awaitable<Reply> Client::readReply(std::chrono::milliseconds timeout) {
  Reply reply;
  reply.code = 0;
  std::string text;
  for (size_t lines = 0; lines < kMaxReplyLines; ++lines) {
    auto line = co_await stream_->readLine(kMaxReplyLine, timeout);
    if (line.status != ReadStatus::Ok) co_return lost("reading a reply");
    int code = 0;
    bool last = false;
    std::string_view rest;
    if (!parseReplyLine(line.line, code, last, rest)) {
      usable_ = false;
      co_return connectionFailure(421, "4.5.0",
                                  "malformed reply from the server: " + line.line.substr(0, 200));
    }
    if (!text.empty()) text += "\n";
    text += rest;
    reply.code = code;
    if (last) break;
  }
  if (reply.code == 421) usable_ = false;  // the server is closing the connection
  // Split off an enhanced status code ("2.1.0 Ok") from the last line.
  auto last_nl = text.rfind('\n');
  std::string_view last_line =
      std::string_view(text).substr(last_nl == std::string::npos ? 0 : last_nl + 1);
  if (last_line.size() >= 6 && (last_line[0] >= '2' && last_line[0] <= '5') &&
      last_line[1] == '.') {
    auto space = last_line.find(' ');
    std::string_view candidate = last_line.substr(0, space);
    if (candidate.find_first_not_of("0123456789.") == std::string_view::npos) {
      reply.enhanced = std::string(candidate);
      // The code and the space after it go; the rest of the line stays.
      size_t line_start = last_nl == std::string::npos ? 0 : last_nl + 1;
      text.erase(line_start, space == std::string_view::npos ? std::string::npos : space + 1);
    }
  }
  reply.text = std::move(text);
  co_return reply;
}

awaitable<Reply> Client::command(std::string line) {
  bool written = co_await stream_->write(line, "\r\n", settings_.command_timeout);
  if (!written) co_return lost("sending " + line.substr(0, line.find(' ')));
  Reply reply = co_await readReply(settings_.command_timeout);
  co_return reply;
}

awaitable<Reply> Client::ehlo() {
  extensions_.clear();
  Reply r = co_await command("EHLO " + settings_.helo_name);
  if (r.code == 421 && !usable_ && r.enhanced == "4.4.2") co_return r;
  if (r.code != 250) {
    r = co_await command("HELO " + settings_.helo_name);
    co_return r;
  }
  auto lines = split(r.text, '\n');
  for (size_t i = 1; i < lines.size(); ++i) {
    auto keyword = lines[i].substr(0, lines[i].find(' '));
    extensions_.insert(toUpper(keyword));
  }
  co_return r;
}

awaitable<Reply> Client::connect() {
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(executor);
  boost::system::error_code ec, timer_ec;
  auto endpoints = co_await resolver.async_resolve(settings_.host, std::to_string(settings_.port),
                                                   asio::redirect_error(use_awaitable, ec));
  if (ec) {
    co_return connectionFailure(451, "4.4.4",
                                fmt::format("cannot resolve {}: {}", settings_.host, ec.message()));
  }
  asio::ip::tcp::socket socket(executor);
  asio::steady_timer timer(executor, settings_.connect_timeout);
  auto result =
      co_await (asio::async_connect(socket, endpoints, asio::redirect_error(use_awaitable, ec)) ||
                timer.async_wait(asio::redirect_error(use_awaitable, timer_ec)));
  if (result.index() == 1 || ec) {
    co_return connectionFailure(
        451, "4.4.1",
        fmt::format("connect to {}:{} failed: {}", settings_.host, settings_.port,
                    result.index() == 1 ? "timeout" : ec.message()));
  }
  socket.set_option(asio::ip::tcp::no_delay(true));
  stream_ = std::make_unique<Stream>(std::move(socket));
  usable_ = true;
  Reply greeting = co_await readReply(settings_.command_timeout);
  if (greeting.code != 220) {
    usable_ = false;
    co_return greeting.code == 421 || !greeting.positive()
        ? greeting
        : Reply{451, "4.4.0", "unexpected greeting: " + greeting.text};
  }
  Reply hello = co_await ehlo();
  if (hello.code != 250) {
    usable_ = false;
    co_return hello;
  }
  if (settings_.tls != TlsMode::None && supports("STARTTLS")) {
    Reply ready = co_await command("STARTTLS");
    if (ready.code == 220) {
      bool secured = co_await stream_->startTlsClient(
          tls_context_, settings_.host, settings_.tls_verify, settings_.connect_timeout);
      if (!secured) co_return lost("starting TLS");
      tls_active_ = true;
      hello = co_await ehlo();
      if (hello.code != 250) {
        usable_ = false;
        co_return hello;
      }
    } else if (settings_.tls == TlsMode::Required) {
      usable_ = false;
      co_return Reply{451, "4.7.5", "STARTTLS refused by the server: " + ready.text};
    }
  }
  if (settings_.tls == TlsMode::Required && !tls_active_) {
    usable_ = false;
    co_return Reply{451, "4.7.4", "TLS required but the server does not offer STARTTLS"};
  }
  co_return hello;
}

std::string Client::mailCommand(const Envelope& envelope) const {
  std::string cmd = "MAIL FROM:<" + envelope.mail_from + ">";
  const auto& p = envelope.params;
  if (!p.body.empty() && supports("8BITMIME")) cmd += " BODY=" + p.body;
  if (p.smtputf8 && supports("SMTPUTF8")) cmd += " SMTPUTF8";
  if (supports("DSN")) {
    if (!p.ret.empty()) cmd += " RET=" + p.ret;
    if (!p.envid.empty()) cmd += " ENVID=" + p.envid;
  }
  return cmd;
}

std::string Client::rcptCommand(const Recipient& rcpt) const {
  std::string cmd = "RCPT TO:<" + rcpt.address + ">";
  if (supports("DSN")) {
    if (!rcpt.notify.empty()) cmd += " NOTIFY=" + rcpt.notify;
    if (!rcpt.orcpt.empty()) cmd += " ORCPT=" + rcpt.orcpt;
  }
  return cmd;
}

awaitable<Reply> Client::sendBody(std::string_view message,
                                  std::optional<bool> needs_dot_stuffing) {
  // The command and the message, or the message and its end, leave in one write.
  if (supports("CHUNKING")) {
    std::string header = "BDAT " + std::to_string(message.size()) + " LAST\r\n";
    bool written = co_await stream_->write(header, message, settings_.data_timeout);
    if (!written) co_return lost("sending the message");
  } else {
    Reply go = co_await command("DATA");
    if (go.code != 354) co_return go;
    bool written = false;
    if (needs_dot_stuffing ? *needs_dot_stuffing : needsDotStuffing(message)) {
      std::string stuffed = dotStuff(message);
      written = co_await stream_->write(stuffed, settings_.data_timeout);
    } else {
      written = co_await stream_->write(message, ".\r\n", settings_.data_timeout);
    }
    if (!written) co_return lost("sending the message");
  }
  Reply final_reply = co_await readReply(settings_.data_timeout);
  ++transactions_;
  transaction_open_ = false;  // whatever the reply, the server's transaction ended with the message
  co_return final_reply;
}

awaitable<TransactionResult> Client::send(const Envelope& envelope, std::string_view message,
                                          std::optional<bool> needs_dot_stuffing) {
  TransactionResult result;
  std::string mail = mailCommand(envelope);
  if (supports("SIZE")) mail += " SIZE=" + std::to_string(message.size());
  if (supports("PIPELINING")) {
    // RFC 2920: MAIL and every RCPT in one write, then read the replies in order.
    std::string batch = mail + "\r\n";
    for (const auto& r : envelope.recipients) batch += rcptCommand(r) + "\r\n";
    bool written = co_await stream_->write(batch, settings_.command_timeout);
    if (!written) {
      result.mail = lost("sending the envelope");
      result.recipients.assign(envelope.recipients.size(), result.mail);
      result.data = result.mail;
      co_return result;
    }
    result.mail = co_await readReply(settings_.command_timeout);
    for (size_t i = 0; i < envelope.recipients.size(); ++i) {
      result.recipients.push_back(co_await readReply(settings_.command_timeout));
    }
  } else {
    result.mail = co_await command(mail);
    for (const auto& r : envelope.recipients) {
      if (!result.mail.positive()) {
        result.recipients.push_back(result.mail);
        continue;
      }
      std::string line = rcptCommand(r);
      Reply reply = co_await command(line);
      result.recipients.push_back(reply);
    }
  }
  if (!usable_) {
    // The server closed the session with a 421 of its own, or the connection was lost.
    const Reply* closing = result.mail.code == 421 ? &result.mail : nullptr;
    for (const auto& r : result.recipients) {
      if (!closing && r.code == 421) closing = &r;
    }
    result.data = closing && !closing->connection_failed
                      ? *closing
                      : connectionFailure(421, "4.4.2", "connection lost during the envelope");
    co_return result;
  }
  if (!result.mail.positive() || !result.anyRecipientAccepted()) {
    result.data = result.mail.positive() ? Reply{554, "5.5.0", "no valid recipients"} : result.mail;
    co_await rset();
    co_return result;
  }
  result.data = co_await sendBody(message, needs_dot_stuffing);
  co_return result;
}

awaitable<Reply> Client::mail(const Envelope& envelope) {
  Reply reply = co_await command(mailCommand(envelope));
  transaction_open_ = reply.positive();
  co_return reply;
}

// Not coroutines: no frames of their own (the command's line is copied into its frame).
awaitable<Reply> Client::rcpt(const Recipient& recipient) {
  return command(rcptCommand(recipient));
}

awaitable<Reply> Client::data(std::string_view message, std::optional<bool> needs_dot_stuffing) {
  return sendBody(message, needs_dot_stuffing);
}

awaitable<Reply> Client::rset() {
  Reply r = co_await command("RSET");
  if (!r.positive()) usable_ = false;
  transaction_open_ = false;
  co_return r;
}

bool Client::quietSinceLastReply() {
  return usable_ && stream_ && stream_->peerQuiet();
}

awaitable<void> Client::quit() {
  if (usable_) {
    co_await command("QUIT");
    usable_ = false;
  }
  // close_notify, so the internal MTA logs a clean TLS shutdown rather than an unexpected EOF.
  if (stream_) co_await stream_->close();
}

}  // namespace portcullis::smtp
