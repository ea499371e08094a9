// A small gateway for the milter tests and the benchmark: the milter listener and an SMTP listener
// (relaying to --relay-port) around the test checks, with the gateway's signal handling on Asio:
// SIGHUP builds a new context (a reload), SIGTERM/SIGINT stop, SIGUSR1 prints the number of open
// milter connections. It prints "ready smtp=PORT" once both listeners are up.
#include <spdlog/spdlog.h>
#include <boost/asio/signal_set.hpp>

#include <cstdio>
#include <cstring>
#include <string>

#include "gateway/milter/milter_server.h"
#include "gateway/pipeline/context_holder.h"
#include "gateway/relay/proxy_delivery.h"
#include "gateway/smtp/server.h"
#include "tests/integration/milter/test_checks.h"

using namespace portcullis;

namespace {

struct Options {
  std::string milter = "inet:0@127.0.0.1";
  uint16_t smtp_port = 0;
  uint16_t relay_port = 25;
  uint64_t max_body = 10ull << 20;
  milter_test::TestContextOptions checks;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string key = argv[i];
    std::string value = argv[i + 1];
    if (key == "--milter")
      o.milter = value;
    else if (key == "--smtp-port")
      o.smtp_port = static_cast<uint16_t>(std::stoi(value));
    else if (key == "--relay-port")
      o.relay_port = static_cast<uint16_t>(std::stoi(value));
    else if (key == "--max-body")
      o.max_body = std::stoull(value);
    else if (key == "--slow-ms")
      o.checks.slow_check = std::chrono::milliseconds(std::stoi(value));
    else if (key == "--check-timeout-ms") {
      o.checks.check_timeout = std::chrono::milliseconds(std::stoi(value));
    } else {
      throw std::runtime_error("unknown option " + key);
    }
  }
  return o;
}

void say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Options options = parse(argc, argv);
  spdlog::set_level(spdlog::level::warn);
  asio::io_context io;

  smtp::ClientSettings relay;
  relay.port = options.relay_port;
  relay.tls = smtp::TlsMode::None;
  auto delivery = std::make_shared<relay::ProxyDelivery>(relay, nullptr);
  auto recipients = std::make_shared<smtp::RecipientPolicy>(
      std::vector<std::string>{"example.test"}, std::vector<std::string>{}, smtp::VerifyMode::None,
      nullptr);
  auto build = [&](int generation) {
    milter_test::TestContextOptions checks = options.checks;
    checks.generation = generation;
    auto ctx = milter_test::makeTestContext(checks);
    ctx->hostname = "gateway.test";
    ctx->protocol.hostname = "gateway.test";
    ctx->delivery = delivery;
    ctx->recipients = recipients;
    return std::shared_ptr<const smtp::SessionContext>(ctx);
  };

  auto contexts = std::make_shared<ContextHolder<smtp::SessionContext>>(build(0));

  smtp::Server server(io, {}, contexts);
  server.listen("127.0.0.1", options.smtp_port);
  server.start();

  milter::MilterSettings settings;
  settings.max_body_size = options.max_body;
  settings.check_timeout = options.checks.check_timeout;
  milter::MilterServer milter(
      options.milter, [contexts] { return contexts->current(); }, settings);
  milter.start();

  int generation = 0;
  asio::signal_set signals(io, SIGHUP, SIGTERM, SIGINT);
  signals.add(SIGUSR1);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        if (signal == SIGHUP || signal == SIGUSR1) {
          if (signal == SIGHUP) {
            contexts->replace(build(++generation));
            say("reloaded generation=" + std::to_string(generation));
          } else {
            say("active=" + std::to_string(milter.activeConnections()) + " serving");
          }
          signals.async_wait(on_signal);
          return;
        }
        asio::co_spawn(
            io,
            [&]() -> awaitable<void> {
              co_await server.stop(std::chrono::milliseconds(2000));
              io.stop();
            },
            asio::detached);
      };
  signals.async_wait(on_signal);
  say("ready smtp=" + std::to_string(server.boundPorts().at(0)));
  io.run();
  milter.stop();
  say("stopped active=" + std::to_string(milter.activeConnections()));
  return 0;
}
