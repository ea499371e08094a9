#include "gateway/milter/milter_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <cstring>

#include "gateway/pipeline/message_edit.h"

namespace portcullis::milter {

namespace {

using Clock = std::chrono::steady_clock;

// The input buffer starts small enough for a connection's commands and a small message's body, and
// grows (up to the largest packet) only for larger body chunks.
constexpr size_t kInitialInput = 16 * 1024;
constexpr size_t kLargestInput = protocol::kMaxPacket + 4;

// Stages whose macros belong to one transaction and go with it.
constexpr std::string_view kTransactionStages = "MRTLNBE";

std::string_view withoutBraces(std::string_view name) {
  if (name.size() >= 2 && name.front() == '{' && name.back() == '}') {
    return name.substr(1, name.size() - 2);
  }
  return name;
}

// Reply text as it has always been sent: no line breaks, '%' doubled (Sendmail formats it).
std::string replyText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '%')
      out += "%%";
    else
      out += (c == '\r' || c == '\n') ? ' ' : c;
  }
  return out;
}

// The value of a header field folded as in the SMTP front end, with the LF line ends the milter
// protocol uses between folded lines.
std::string foldedValue(const HeaderField& field) {
  std::string line = formatField(field);
  std::string value = line.substr(std::min(line.size(), field.name.size() + 2));
  if (value.size() >= 2 && value.ends_with("\r\n")) value.resize(value.size() - 2);
  std::erase(value, '\r');
  return value;
}

// The address as text in its usual form; the MTA may write IPv6 addresses with an "IPv6:" prefix.
std::string normalisedAddress(char family, std::string_view address) {
  if (address.starts_with("IPv6:")) address.remove_prefix(5);
  std::string text(address);
  int af = family == '6' ? AF_INET6 : AF_INET;
  unsigned char binary[sizeof(in6_addr)];
  char out[INET6_ADDRSTRLEN] = {};
  if (inet_pton(af, text.c_str(), binary) != 1 || !inet_ntop(af, binary, out, sizeof out)) {
    return {};
  }
  return out;
}

std::vector<std::string> esmtpArgs(const std::vector<std::string_view>& argv) {
  std::vector<std::string> args;
  for (size_t i = 1; i < argv.size(); ++i) args.emplace_back(argv[i]);
  return args;
}

}  // namespace

MilterConnection::MilterConnection(MilterSocket socket, ContextSource current_context,
                                   const MilterSettings& settings, bool tcp)
    : socket_(std::move(socket)),
      current_context_(std::move(current_context)),
      settings_(settings),
      silence_(socket_.get_executor()),
      tcp_(tcp),
      input_(new char[kInitialInput]),
      input_size_(kInitialInput) {}

MilterConnection::~MilterConnection() = default;

void MilterConnection::close() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->socket_.close(ignored);
  });
}

void MilterConnection::watchSilence() {
  silence_.expires_at(last_heard_ + settings_.mta_timeout);
  silence_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || !self->open_) return;
    if (Clock::now() < self->last_heard_ + self->settings_.mta_timeout) {
      self->watchSilence();
      return;
    }
    spdlog::info("milter: the MTA was silent for {} s, closing its connection",
                 self->settings_.mta_timeout.count());
    boost::system::error_code ignored;
    self->socket_.close(ignored);
  });
}

awaitable<void> MilterConnection::run() {
  last_heard_ = Clock::now();
  watchSilence();
  co_await serve();
}

awaitable<void> MilterConnection::serve() {
  boost::system::error_code ec;
  // Replies are written at once (they are small, and the MTA reads them); only what the socket
  // does not take waits for it.
  socket_.non_blocking(true, ec);
  while (open_ && !ec) {
    bool too_large = false;
    while (open_) {
      auto framed = protocol::nextPacket(
          std::string_view(input_.get() + input_begin_, input_end_ - input_begin_), too_large);
      if (!framed) break;
      const protocol::Packet& packet = framed->packet;
      if (packet.command == protocol::kRecipient) {
        co_await recipient(packet.data);
      } else if (packet.command == protocol::kEndOfBody) {
        co_await endOfMessage(packet.data);
      } else {
        open_ = handle(packet);
      }
      input_begin_ += framed->size;
    }
    if (too_large) {
      spdlog::warn("milter: the MTA sent a packet of a size this protocol does not have, closing");
      open_ = false;
    }
    const bool answered = !out_.empty();
    if (answered) {
      size_t sent = socket_.send(asio::buffer(out_), 0, ec);
      if (ec == asio::error::would_block) ec = {};
      if (!ec && sent < out_.size()) {
        co_await asio::async_write(socket_, asio::buffer(out_.data() + sent, out_.size() - sent),
                                   asio::redirect_error(use_awaitable, ec));
      }
      out_.clear();
      if (ec) break;
    }
    if (!open_) break;
    if (input_begin_ == input_end_) {
      input_begin_ = input_end_ = 0;
    } else if (input_end_ == input_size_) {
      // A packet larger than what is left: move it to the front, or make room for it.
      if (input_begin_ == 0) {
        input_size_ = std::min(2 * input_size_, kLargestInput);
        std::unique_ptr<char[]> larger(new char[input_size_]);
        std::memcpy(larger.get(), input_.get(), input_end_);
        input_ = std::move(larger);
      } else {
        std::memmove(input_.get(), input_.get() + input_begin_, input_end_ - input_begin_);
        input_end_ -= input_begin_;
        input_begin_ = 0;
      }
    }
    // An answer carries the acknowledgement; without one, the MTA may be holding its next
    // command until what it sent is acknowledged.
    if (quick_ack_ && !answered) {
      int on = 1;
      ::setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
    }
    size_t n = co_await socket_.async_read_some(
        asio::buffer(input_.get() + input_end_, input_size_ - input_end_),
        asio::redirect_error(use_awaitable, ec));
    if (ec) break;
    input_end_ += n;
    last_heard_ = Clock::now();
  }
  open_ = false;
  silence_.cancel();
  socket_.close(ec);
  session_.reset();
}

bool MilterConnection::handle(const protocol::Packet& packet) {
  using namespace protocol;
  switch (packet.command) {
    case kOptionNegotiation:
      return negotiate(packet.data);
    case kMacro:
      defineMacros(packet.data);
      return true;
    case kConnect:
      connect(packet.data);
      return true;
    case kHelo: {
      std::string_view data = packet.data;
      if (session_) session_->helo(data.empty() ? std::string_view() : nextString(data));
      continueUnless(kStepNoReplyHelo);
      return true;
    }
    case kMail:
      mail(packet.data);
      return true;
    case kHeader: {
      std::string_view data = packet.data;
      if (session_ && !data.empty()) {
        std::string_view name = nextString(data);
        session_->header(name, data.empty() ? std::string_view() : nextString(data));
      }
      continueUnless(kStepNoReplyHeader);
      return true;
    }
    case kEndOfHeaders:
      if (session_) session_->endOfHeaders();
      continueUnless(kStepNoReplyEndOfHeaders);
      return true;
    case kBody:
      if (session_) session_->body(packet.data);
      continueUnless(kStepNoReplyBody);
      return true;
    case kAbort:
      if (session_) session_->abort();
      clearTransactionMacros();
      return true;
    case kQuitNewConnection:
      session_.reset();
      macros_.clear();
      return true;
    case kQuit:
      return false;
    case kData:
      continueUnless(kStepNoReplyData);
      return true;
    case kUnknown:
      appendPacket(out_, kContinue);
      return true;
    default:
      spdlog::warn("milter: unknown command 0x{:02x} from the MTA, closing",
                   static_cast<unsigned char>(packet.command));
      return false;
  }
}

bool MilterConnection::negotiate(std::string_view data) {
  auto offered = protocol::parseNegotiation(data);
  if (!offered || offered->version < protocol::kLowestVersion) {
    spdlog::warn("milter: the MTA offered protocol version {}, need {} or later",
                 offered ? offered->version : 0, protocol::kLowestVersion);
    return false;
  }
  actions_ = offered->actions;
  steps_ = protocol::appendNegotiation(out_, *offered);
  // The MTA may write the commands that get no reply back to back, and Nagle's algorithm on its
  // side holds each until the previous one is acknowledged: when nothing was answered (an answer
  // carries the acknowledgement), acknowledge at once instead of after the delayed-ACK timer
  // (40 ms). Acknowledging every command at once would cost Postfix, which writes a message's
  // commands together, an extra packet per answered command.
  quick_ack_ = (steps_ & protocol::kStepsWithoutReply) != 0 && tcp_;
  return true;
}

void MilterConnection::defineMacros(std::string_view data) {
  if (data.empty()) return;
  char stage = data[0];
  std::erase_if(macros_, [&](const auto& entry) { return entry.first == stage; });
  macros_.emplace_back(stage, data.substr(1));
}

std::string MilterConnection::macro(std::string_view name) const {
  name = withoutBraces(name);
  for (auto stage = macros_.rbegin(); stage != macros_.rend(); ++stage) {
    std::string_view items = stage->second;
    while (!items.empty()) {
      std::string_view key = protocol::nextString(items);
      if (items.empty()) break;  // a name without a value defines nothing
      std::string_view value = protocol::nextString(items);
      if (withoutBraces(key) == name) return std::string(value);
    }
  }
  return {};
}

void MilterConnection::clearTransactionMacros() {
  std::erase_if(macros_, [](const auto& entry) {
    return kTransactionStages.find(entry.first) != std::string_view::npos;
  });
}

void MilterConnection::connect(std::string_view data) {
  auto context = current_context_ ? current_context_() : nullptr;
  auto info = protocol::parseConnect(data);
  if (!context || !info) {
    session_.reset();
    protocol::appendPacket(out_, protocol::kTempFail);
    return;
  }
  session_ = std::make_unique<MilterSession>(context, socket_.get_executor(), settings_);
  ClientInfo client;
  if (info->family == '4' || info->family == '6') {
    client.address = normalisedAddress(info->family, info->address);
    client.port = info->port;
  }
  if (auto addr = macro("client_addr"); !addr.empty()) client.address = addr;
  std::string name = macro("client_name");
  if (name.empty()) name = info->hostname;
  // The MTA writes "[address]" or "unknown" when the reverse name is not verified.
  if (name != "unknown" && !name.starts_with("[")) client.hostname = name;
  session_->connect(std::move(client));
  protocol::appendPacket(out_, protocol::kContinue);
}

void MilterConnection::mail(std::string_view data) {
  auto argv = protocol::strings(data);
  if (!session_ || argv.empty()) {
    protocol::appendPacket(out_, protocol::kContinue);
    return;
  }
  MailFacts facts;
  facts.queue_id = macro("i");
  facts.mta_hostname = macro("j");
  facts.auth_user = macro("auth_authen");
  if (auto version = macro("tls_version"); !version.empty()) {
    std::string bits = macro("cipher_bits");
    facts.tls = TlsInfo{version, macro("cipher"), bits.empty() ? 0 : std::atoi(bits.c_str())};
  }
  reply(session_->mail(argv[0], esmtpArgs(argv), facts));
}

awaitable<void> MilterConnection::recipient(std::string_view data) {
  auto argv = protocol::strings(data);
  if (!session_ || argv.empty()) {
    protocol::appendPacket(out_, protocol::kContinue);
    co_return;
  }
  std::vector<std::string> args = esmtpArgs(argv);
  reply(co_await session_->recipient(argv[0], args));
}

void MilterConnection::continueUnless(uint32_t no_reply_step) {
  if (!(steps_ & no_reply_step)) protocol::appendPacket(out_, protocol::kContinue);
}

void MilterConnection::reply(const StageResult& result) {
  using namespace protocol;
  switch (result.status) {
    case MilterStatus::Continue:
      appendPacket(out_, kContinue);
      return;
    case MilterStatus::Accept:
      appendPacket(out_, kAccept);
      return;
    case MilterStatus::Discard:
      appendPacket(out_, kDiscard);
      return;
    case MilterStatus::Reject:
    case MilterStatus::TempFail: {
      // The MTA takes a reply of its own only when its class matches the verdict.
      char digit = result.status == MilterStatus::Reject ? '5' : '4';
      if (std::to_string(result.reply.code).front() == digit) {
        appendReplyCode(out_, result.reply.code, result.reply.enhanced,
                        replyText(result.reply.text));
      } else {
        appendPacket(out_, result.status == MilterStatus::Reject ? kReject : kTempFail);
      }
      return;
    }
  }
}

awaitable<void> MilterConnection::endOfMessage(std::string_view data) {
  if (!session_) {
    protocol::appendPacket(out_, protocol::kContinue);
    co_return;
  }
  if (!data.empty()) session_->body(data);
  std::string queue_id = macro("i");
  MessageActions a = co_await session_->endOfMessage(queue_id);
  clearTransactionMacros();
  if (a.result.status != MilterStatus::Accept) {
    reply(a.result);
    co_return;
  }
  // An edit the MTA did not allow in the negotiation: do not pass the message on unedited.
  bool can_add = actions_ & protocol::kActionAddHeaders;
  bool can_change = actions_ & protocol::kActionChangeHeaders;
  bool needs_add =
      !a.insert_at_top.empty() || !a.append.empty() || (!a.new_subject.empty() && !a.subject);
  bool needs_change = !a.remove.empty() || (!a.new_subject.empty() && a.subject);
  if ((needs_add && !can_add) || (needs_change && !can_change) ||
      (a.quarantine && !(actions_ & protocol::kActionQuarantine))) {
    spdlog::warn("milter: the MTA refused a header edit or quarantine, answering tempfail");
    reply({MilterStatus::TempFail,
           {451, "4.3.0", "Error: message could not be processed, try again later"}});
    co_return;
  }
  for (const auto& field : a.remove) {
    protocol::appendChangeHeader(out_, static_cast<uint32_t>(field.index), field.name, "");
  }
  for (auto it = a.insert_at_top.rbegin(); it != a.insert_at_top.rend(); ++it) {
    protocol::appendInsertHeader(out_, 0, it->name, foldedValue(*it));
  }
  for (const auto& field : a.append) {
    protocol::appendAddHeader(out_, field.name, foldedValue(field));
  }
  if (!a.new_subject.empty()) {
    std::string value = foldedValue({"Subject", a.new_subject});
    if (a.subject) {
      protocol::appendChangeHeader(out_, static_cast<uint32_t>(a.subject->index), "Subject", value);
    } else {
      protocol::appendAddHeader(out_, "Subject", value);
    }
  }
  if (a.quarantine) protocol::appendQuarantine(out_, *a.quarantine);
  protocol::appendPacket(out_, protocol::kAccept);
}

}  // namespace portcullis::milter
