#include "gateway/milter/milter_server.h"

#include <arpa/inet.h>
#include <libmilter/mfapi.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "gateway/milter/milter_session.h"
#include "gateway/smtp/message_edit.h"

namespace portcullis::milter {

namespace {

std::atomic<MilterServer*> the_server{nullptr};

// Blocks the signals the gateway handles with Asio in the calling thread (and in every thread it
// starts from now on), see the header.
void blockGatewaySignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

// libmilter answers the end of message with several small packets (one per header edit, then the
// verdict) and leaves Nagle's algorithm on, so each message waits for the MTA's delayed ACK
// (about 40 ms on Linux). libmilter does not expose its listening socket: find it among the
// process's descriptors (a listening TCP socket bound to the configured port) and set TCP_NODELAY,
// which Linux copies to every accepted connection.
void disableNagleOnListener(const std::string& spec) {
  if (spec.rfind("inet", 0) != 0) return;
  std::string rest = spec.substr(spec.find(':') + 1);
  int port = std::atoi(rest.substr(0, rest.find('@')).c_str());
  for (int fd = 0; fd < 65536 && fd < sysconf(_SC_OPEN_MAX); ++fd) {
    int listening = 0;
    socklen_t len = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) continue;
    sockaddr_storage address{};
    len = sizeof address;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &len) != 0) continue;
    int bound = -1;
    if (address.ss_family == AF_INET) {
      bound = ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
    } else if (address.ss_family == AF_INET6) {
      bound = ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
    }
    if (bound != port) continue;
    int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  }
}

// libmilter's listener looks at smfi_stop() only between select() calls of five seconds each
// (MI_CHK_TIME); one connection to the listening socket wakes it at once. The connection is
// closed straight away, so libmilter's session for it ends at its first read.
void wakeListener(const std::string& spec) {
  const size_t colon = spec.find(':');
  const std::string kind = spec.substr(0, colon), rest = spec.substr(colon + 1);
  int fd = -1;
  if (kind == "unix" || kind == "local") {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (rest.size() >= sizeof address.sun_path) return;
    std::memcpy(address.sun_path, rest.c_str(), rest.size() + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0) connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  } else {
    const size_t at = rest.find('@');
    const std::string port = rest.substr(0, at);
    std::string host = at == std::string::npos ? "" : rest.substr(at + 1);
    if (host.empty()) host = kind == "inet6" ? "::1" : "127.0.0.1";
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0) return;
    fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0) connect(fd, found->ai_addr, found->ai_addrlen);
    freeaddrinfo(found);
  }
  if (fd >= 0) close(fd);
}

MilterSession* sessionOf(SMFICTX* ctx) {
  return static_cast<MilterSession*>(smfi_getpriv(ctx));
}

std::string macro(SMFICTX* ctx, const char* name) {
  const char* value = smfi_getsymval(ctx, const_cast<char*>(name));
  return value ? value : "";
}

std::vector<std::string> esmtpArgs(char** argv) {
  std::vector<std::string> args;
  for (size_t i = 1; argv && argv[0] && argv[i]; ++i) args.emplace_back(argv[i]);
  return args;
}

// libmilter treats '%' in reply text as a format character.
std::string replyText(std::string_view text) {
  std::string out;
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
  std::string line = smtp::formatField(field);
  std::string value = line.substr(std::min(line.size(), field.name.size() + 2));
  if (value.size() >= 2 && value.ends_with("\r\n")) value.resize(value.size() - 2);
  std::string out;
  for (char c : value) {
    if (c != '\r') out += c;
  }
  return out;
}

void setReply(SMFICTX* ctx, const smtp::Reply& reply) {
  std::string code = std::to_string(reply.code);
  std::string text = replyText(reply.text);
  smfi_setreply(ctx, code.data(),
                reply.enhanced.empty() ? nullptr : const_cast<char*>(reply.enhanced.c_str()),
                text.data());
}

sfsistat status(SMFICTX* ctx, const StageResult& result) {
  switch (result.status) {
    case MilterStatus::Continue:
      return SMFIS_CONTINUE;
    case MilterStatus::Accept:
      return SMFIS_ACCEPT;
    case MilterStatus::Discard:
      return SMFIS_DISCARD;
    case MilterStatus::Reject:
      setReply(ctx, result.reply);
      return SMFIS_REJECT;
    case MilterStatus::TempFail:
      setReply(ctx, result.reply);
      return SMFIS_TEMPFAIL;
  }
  return SMFIS_TEMPFAIL;
}

ClientInfo clientOf(SMFICTX* ctx, const char* hostname, const sockaddr* address) {
  ClientInfo client;
  char text[INET6_ADDRSTRLEN] = {};
  if (address && address->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(address);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    client.port = ntohs(in->sin_port);
  } else if (address && address->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    client.port = ntohs(in6->sin6_port);
  }
  client.address = text;
  if (auto addr = macro(ctx, "{client_addr}"); !addr.empty()) client.address = addr;
  std::string name = macro(ctx, "{client_name}");
  if (name.empty() && hostname) name = hostname;
  // The MTA writes "[address]" or "unknown" when the reverse name is not verified.
  if (name != "unknown" && !name.starts_with("[")) client.hostname = name;
  return client;
}

}  // namespace

struct MilterServer::Hooks {
  static sfsistat connect(SMFICTX* ctx, char* hostname, _SOCK_ADDR* address) {
    MilterServer* server = the_server.load();
    auto context = server ? server->current_context_() : nullptr;
    if (!context) return SMFIS_TEMPFAIL;
    auto* session = new MilterSession(context, server->io_.get_executor(), server->settings_);
    smfi_setpriv(ctx, session);
    ++server->active_connections_;
    session->connect(clientOf(ctx, hostname, address));
    return SMFIS_CONTINUE;
  }

  static sfsistat helo(SMFICTX* ctx, char* name) {
    if (auto* s = sessionOf(ctx)) s->helo(name ? name : "");
    return SMFIS_CONTINUE;
  }

  static sfsistat mail(SMFICTX* ctx, char** argv) {
    auto* s = sessionOf(ctx);
    if (!s || !argv || !argv[0]) return SMFIS_CONTINUE;
    MailFacts facts;
    facts.queue_id = macro(ctx, "i");
    facts.mta_hostname = macro(ctx, "j");
    facts.auth_user = macro(ctx, "{auth_authen}");
    if (auto version = macro(ctx, "{tls_version}"); !version.empty()) {
      std::string bits = macro(ctx, "{cipher_bits}");
      facts.tls =
          TlsInfo{version, macro(ctx, "{cipher}"), bits.empty() ? 0 : std::atoi(bits.c_str())};
    }
    return status(ctx, s->mail(argv[0], esmtpArgs(argv), facts));
  }

  static sfsistat rcpt(SMFICTX* ctx, char** argv) {
    auto* s = sessionOf(ctx);
    if (!s || !argv || !argv[0]) return SMFIS_CONTINUE;
    return status(ctx, s->recipient(argv[0], esmtpArgs(argv)));
  }

  static sfsistat header(SMFICTX* ctx, char* name, char* value) {
    if (auto* s = sessionOf(ctx)) s->header(name ? name : "", value ? value : "");
    return SMFIS_CONTINUE;
  }

  static sfsistat endOfHeaders(SMFICTX* ctx) {
    if (auto* s = sessionOf(ctx)) s->endOfHeaders();
    return SMFIS_CONTINUE;
  }

  static sfsistat body(SMFICTX* ctx, unsigned char* bytes, size_t size) {
    if (auto* s = sessionOf(ctx)) s->body({reinterpret_cast<const char*>(bytes), size});
    return SMFIS_CONTINUE;
  }

  static sfsistat endOfMessage(SMFICTX* ctx) {
    auto* s = sessionOf(ctx);
    if (!s) return SMFIS_CONTINUE;
    MessageActions a = s->endOfMessage(macro(ctx, "i"));
    if (a.result.status != MilterStatus::Accept) return status(ctx, a.result);
    bool ok = true;
    for (const auto& field : a.remove) {
      ok &= smfi_chgheader(ctx, const_cast<char*>(field.name.c_str()), field.index, nullptr) ==
            MI_SUCCESS;
    }
    for (auto it = a.insert_at_top.rbegin(); it != a.insert_at_top.rend(); ++it) {
      std::string value = foldedValue(*it);
      ok &= smfi_insheader(ctx, 0, const_cast<char*>(it->name.c_str()), value.data()) == MI_SUCCESS;
    }
    for (const auto& field : a.append) {
      std::string value = foldedValue(field);
      ok &= smfi_addheader(ctx, const_cast<char*>(field.name.c_str()), value.data()) == MI_SUCCESS;
    }
    if (!a.new_subject.empty()) {
      std::string value = foldedValue({"Subject", a.new_subject});
      char subject[] = "Subject";
      ok &= (a.subject ? smfi_chgheader(ctx, subject, a.subject->index, value.data())
                       : smfi_addheader(ctx, subject, value.data())) == MI_SUCCESS;
    }
    if (a.quarantine) {
      ok &= smfi_quarantine(ctx, a.quarantine->data()) == MI_SUCCESS;
    }
    if (!ok) {
      // The MTA refused an edit (or the connection broke): do not pass the message on unedited.
      spdlog::warn("milter: the MTA refused a header edit or quarantine, answering tempfail");
      return status(ctx,
                    {MilterStatus::TempFail,
                     {451, "4.3.0", "Error: message could not be processed, try again later"}});
    }
    return SMFIS_ACCEPT;
  }

  static sfsistat abort(SMFICTX* ctx) {
    if (auto* s = sessionOf(ctx)) s->abort();
    return SMFIS_CONTINUE;
  }

  static sfsistat close(SMFICTX* ctx) {
    auto* s = sessionOf(ctx);
    if (!s) return SMFIS_CONTINUE;
    smfi_setpriv(ctx, nullptr);
    delete s;
    if (MilterServer* server = the_server.load()) --server->active_connections_;
    return SMFIS_CONTINUE;
  }
};

MilterServer::MilterServer(std::string listen_spec, ContextSource current_context,
                           MilterSettings settings)
    : listen_spec_(std::move(listen_spec)),
      current_context_(std::move(current_context)),
      settings_(settings) {
  if (!validListenSpec(listen_spec_)) {
    throw std::runtime_error("milter: invalid listen address \"" + listen_spec_ + "\"");
  }
  MilterServer* expected = nullptr;
  if (!the_server.compare_exchange_strong(expected, this)) {
    throw std::runtime_error("milter: only one milter listener per process (libmilter is global)");
  }
}

MilterServer::~MilterServer() {
  stop();
  the_server.store(nullptr);
}

void MilterServer::start() {
  if (started_) return;
  static char name[] = "portcullis";
  static smfiDesc description = {
      .xxfi_name = name,
      .xxfi_version = SMFI_VERSION,
      .xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE,
      .xxfi_connect = Hooks::connect,
      .xxfi_helo = Hooks::helo,
      .xxfi_envfrom = Hooks::mail,
      .xxfi_envrcpt = Hooks::rcpt,
      .xxfi_header = Hooks::header,
      .xxfi_eoh = Hooks::endOfHeaders,
      .xxfi_body = Hooks::body,
      .xxfi_eom = Hooks::endOfMessage,
      .xxfi_abort = Hooks::abort,
      .xxfi_close = Hooks::close,
      .xxfi_unknown = nullptr,
      .xxfi_data = nullptr,
      .xxfi_negotiate = nullptr,
  };
  if (smfi_setconn(listen_spec_.data()) != MI_SUCCESS ||
      smfi_settimeout(static_cast<int>(settings_.mta_timeout.count())) != MI_SUCCESS ||
      smfi_setbacklog(settings_.backlog) != MI_SUCCESS ||
      smfi_register(description) != MI_SUCCESS) {
    throw std::runtime_error("milter: libmilter refused the configuration for " + listen_spec_);
  }
  if (smfi_opensocket(true) != MI_SUCCESS) {
    throw std::runtime_error("milter: cannot listen on " + listen_spec_);
  }
  disableNagleOnListener(listen_spec_);
  started_ = true;
  work_.emplace(io_.get_executor());
  for (size_t i = 0; i < std::max<size_t>(1, settings_.io_threads); ++i) {
    io_threads_.emplace_back([this] {
      blockGatewaySignals();
      io_.run();
    });
  }
  milter_thread_ = std::thread([this] {
    blockGatewaySignals();
    smfi_main();
    if (!stopping_.load()) {
      unexpected_stop_ = true;
      spdlog::error("milter: libmilter stopped listening on {} (it caught a signal)", listen_spec_);
    }
  });
  spdlog::info("listening for milter connections on {}", listen_spec_);
}

void MilterServer::stop() {
  if (!started_ || stopping_.exchange(true)) return;
  smfi_stop();
  if (!unexpected_stop_) wakeListener(listen_spec_);
  if (milter_thread_.joinable()) milter_thread_.join();
  // Connections libmilter still serves finish (each wait is bounded) before the executor goes.
  auto deadline = std::chrono::steady_clock::now() + settings_.stop_grace;
  while (active_connections_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  work_.reset();
  io_.stop();
  for (auto& t : io_threads_) t.join();
  io_threads_.clear();
}

}  // namespace portcullis::milter
