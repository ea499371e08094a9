// The milter wire protocol: the codec on its own, and MilterServer against a scripted MTA over
// loopback (what it negotiates, the segment size it advertises, which commands it answers, that
// the end of message's edits and verdict leave in one write, that replies the socket cannot take
// at once still arrive whole, that a malformed packet ends the connection), and its listener
// (every thread accepts and serves, an address in use is refused).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gateway/milter/milter_protocol.h"
#include "gateway/milter/milter_server.h"
#include "tests/integration/milter/tcp_segments.h"
#include "tests/integration/milter/test_checks.h"
#include "tests/support/loopback.h"

namespace portcullis::milter {
namespace {

using namespace std::chrono_literals;
namespace p = protocol;

// A literal with its NUL bytes, without the terminating one.
template <size_t N>
std::string bytes(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

std::string uint32Bytes(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

std::string packet(char command, std::string_view data = {}) {
  std::string out;
  p::appendPacket(out, command, data);
  return out;
}

std::string offer(uint32_t version, uint32_t steps) {
  return packet(p::kOptionNegotiation,
                uint32Bytes(version) + uint32Bytes(0x1ff) + uint32Bytes(steps));
}

TEST(MilterCodec, FramesPacketsAndWaitsForIncompleteOnes) {
  std::string two = packet('H', bytes("vm\0")) + packet('N');
  bool too_large = false;
  auto first = p::nextPacket(two, too_large);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->packet.command, 'H');
  EXPECT_EQ(first->packet.data, std::string_view("vm\0", 3));
  auto second = p::nextPacket(std::string_view(two).substr(first->size), too_large);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->packet.command, 'N');
  EXPECT_FALSE(p::nextPacket(std::string_view(two).substr(0, first->size - 1), too_large));
  EXPECT_FALSE(too_large);
  EXPECT_FALSE(p::nextPacket(uint32Bytes(p::kMaxPacket + 1) + "B", too_large));
  EXPECT_TRUE(too_large);
  EXPECT_FALSE(p::nextPacket(uint32Bytes(0), too_large));
  EXPECT_TRUE(too_large);
}

TEST(MilterCodec, ParsesConnectStringsAndNegotiation) {
  auto connect =
      p::parseConnect(bytes("mx.test\0004\x04\xd2"
                            "192.0.2.1\0"));
  ASSERT_TRUE(connect);
  EXPECT_EQ(connect->hostname, "mx.test");
  EXPECT_EQ(connect->family, '4');
  EXPECT_EQ(connect->port, 1234);
  EXPECT_EQ(connect->address, "192.0.2.1");
  auto unknown = p::parseConnect(bytes("localhost\0U"));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->family, 'U');
  EXPECT_FALSE(p::parseConnect("no terminator"));
  EXPECT_FALSE(p::parseConnect(bytes("h\0004\x01")));  // port cut short

  std::string mail = bytes("<a@b.test>\0SIZE=10\0");
  auto argv = p::strings(mail);
  ASSERT_EQ(argv.size(), 2u);
  EXPECT_EQ(argv[1], "SIZE=10");
  EXPECT_FALSE(p::parseNegotiation("short"));
}

TEST(MilterCodec, NegotiationTakesTheLowerVersionAndOnlyOfferedSteps) {
  std::string out;
  uint32_t steps = p::appendNegotiation(out, {6, 0x1ff, 0x1fffff});
  EXPECT_EQ(steps, p::kStepsWanted);
  // DATA is not sent at all (one packet, and one wake-up of the milter, less per message).
  EXPECT_NE(steps & p::kStepNoData, 0u);
  EXPECT_EQ(out, packet(p::kOptionNegotiation,
                        uint32Bytes(6) + uint32Bytes(0x31) + uint32Bytes(p::kStepsWanted)));
  out.clear();
  // A version 2 MTA offers none of the version 6 steps: everything is answered.
  EXPECT_EQ(p::appendNegotiation(out, {2, 0x3f, 0x7f}), 0u);
  EXPECT_EQ(out,
            packet(p::kOptionNegotiation, uint32Bytes(2) + uint32Bytes(0x31) + uint32Bytes(0)));
}

TEST(MilterCodec, BuildsReplies) {
  std::string out;
  p::appendReplyCode(out, 550, "5.7.1", "no");
  EXPECT_EQ(out, packet('y', bytes("550 5.7.1 no\0")));
  out.clear();
  p::appendChangeHeader(out, 2, "X-A", "");
  EXPECT_EQ(out, packet('m', uint32Bytes(2) + bytes("X-A\0\0")));
}

// A scripted MTA on one connection to the milter.
class ScriptedMta {
 public:
  // `receive_buffer`: SO_RCVBUF before connecting (0: the system's).
  explicit ScriptedMta(uint16_t port, int receive_buffer = 0)
      : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    if (receive_buffer > 0) {
      setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~ScriptedMta() { close(fd_); }
  bool connected() const { return connected_; }

  // TCP segments received from the milter so far (answers and bare acknowledgements).
  int64_t segmentsReceived() const { return milter_test::tcpSegmentsReceived(fd_); }

  // The largest segment this side may send, as the milter advertised it when accepting.
  int maxSegment() const {
    int mss = 0;
    socklen_t length = sizeof mss;
    return getsockopt(fd_, IPPROTO_TCP, TCP_MAXSEG, &mss, &length) == 0 ? mss : -1;
  }

  void send(const std::string& bytes) {
    ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
  }

  // Whatever one read returns within `wait` (empty when nothing came, nullopt at end of stream).
  std::optional<std::string> readOnce(std::chrono::milliseconds wait = 2000ms) {
    timeval limit{static_cast<time_t>(wait.count() / 1000),
                  static_cast<suseconds_t>(wait.count() % 1000 * 1000)};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    char buffer[65536];
    ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
    if (n == 0) return std::nullopt;
    if (n < 0) return std::string();
    return std::string(buffer, static_cast<size_t>(n));
  }

  // The commands of every packet in `bytes`.
  static std::string commands(std::string_view bytes) {
    std::string out;
    bool too_large = false;
    while (auto framed = p::nextPacket(bytes, too_large)) {
      out += framed->packet.command;
      bytes.remove_prefix(framed->size);
    }
    return out;
  }

  // Sends a command and returns the commands of the replies that arrive for it.
  std::string exchange(const std::string& bytes, std::chrono::milliseconds wait = 2000ms) {
    send(bytes);
    auto got = readOnce(wait);
    return got ? commands(*got) : "<closed>";
  }

 private:
  int fd_;
  bool connected_ = false;
};

ContextSource testContext() {
  return [context = std::shared_ptr<const smtp::SessionContext>(milter_test::makeTestContext({}))] {
    return context;
  };
}

std::string listenSpec(uint16_t port) {
  return "inet:" + std::to_string(port) + "@127.0.0.1";
}

class MilterProtocol : public ::testing::Test {
 protected:
  MilterProtocol()
      : port_(test::freeLoopbackPort()),
        server_(listenSpec(port_), testContext(), MilterSettings{}) {
    server_.start();
  }
  ~MilterProtocol() override { server_.stop(); }

  // Negotiates `version` offering `steps`, then connect, HELO, MAIL, RCPT; returns the replies.
  std::string upToRecipient(ScriptedMta& mta, uint32_t version, uint32_t steps) {
    std::string replies = mta.exchange(offer(version, steps));
    replies += mta.exchange(packet(p::kMacro, bytes("C{client_addr}\000192.0.2.9\0")) +
                            packet(p::kConnect, bytes("mx.test\0004\x04\xd2"
                                                      "192.0.2.9\0")));
    replies += mta.exchange(packet(p::kHelo, bytes("mx.test\0")), 300ms);
    replies += mta.exchange(packet(p::kMail, bytes("<s@sender.test>\0")));
    replies += mta.exchange(packet(p::kRecipient, bytes("<r@example.test>\0")));
    return replies;
  }

  uint16_t port_;
  MilterServer server_;
};

TEST_F(MilterProtocol, Version6AgreesNoReplyStepsAndTheEndOfMessageLeavesInOneWrite) {
  ScriptedMta mta(port_);
  ASSERT_TRUE(mta.connected());
  // Negotiation, connect, MAIL and RCPT are answered; HELO is not.
  EXPECT_EQ(upToRecipient(mta, 6, 0x1fffff), "Occc");
  // DATA, the header fields, their end and the body get no reply...
  mta.send(packet(p::kData) + packet(p::kHeader, bytes("Subject\0hello\0")) +
           packet(p::kEndOfHeaders) + packet(p::kBody, "Hello\r\n"));
  EXPECT_EQ(mta.readOnce(300ms), std::string());
  // ...and the end of message gets its edits and the verdict together.
  auto eom = mta.exchange(packet(p::kEndOfBody));
  EXPECT_EQ(eom.front(), 'i') << eom;  // Authentication-Results on top
  EXPECT_NE(eom.find('h'), std::string::npos) << eom;
  EXPECT_EQ(eom.back(), 'a') << eom;
}

TEST_F(MilterProtocol, TheMtaSendsSegmentsOfAtMost4KiB) {
  // Postfix sizes its milter stream buffers at four times the segment size, and fills each as it
  // frees it: loopback's 32 KiB segments would cost it 2 x 128 KiB per message.
  ScriptedMta mta(port_);
  ASSERT_TRUE(mta.connected());
  EXPECT_GT(mta.maxSegment(), 0);
  EXPECT_LE(mta.maxSegment(), 4096);
}

TEST_F(MilterProtocol, AnAnswerCarriesTheAcknowledgementOfItsCommand) {
  // Acknowledging each command at once as well would cost the MTA a second packet per answer.
  ScriptedMta mta(port_);
  ASSERT_TRUE(mta.connected());
  upToRecipient(mta, 6, 0x1fffff);
  constexpr int kAnswered = 10;
  int64_t before = mta.segmentsReceived();
  ASSERT_GE(before, 0) << "the kernel does not count segments";
  for (int i = 0; i < kAnswered; ++i) {
    ASSERT_EQ(mta.exchange(packet(p::kRecipient, bytes("<r@example.test>\0"))), "c");
  }
  // A few answers may come late enough for the delayed-acknowledgement timer to fire first.
  EXPECT_LE(mta.segmentsReceived() - before, kAnswered + 3);
}

TEST_F(MilterProtocol, Version2GetsAReplyToEveryCommand) {
  ScriptedMta mta(port_);
  ASSERT_TRUE(mta.connected());
  EXPECT_EQ(upToRecipient(mta, 2, 0x7f), "Occcc");
  EXPECT_EQ(mta.exchange(packet(p::kHeader, bytes("Subject\0hello\0"))), "c");
  EXPECT_EQ(mta.exchange(packet(p::kEndOfHeaders)), "c");
  EXPECT_EQ(mta.exchange(packet(p::kBody, "Hello\r\n")), "c");
  auto eom = mta.exchange(packet(p::kEndOfBody));
  EXPECT_EQ(eom.back(), 'a') << eom;
}

TEST_F(MilterProtocol, DataIsAnsweredWhenTheMtaExpectsAReply) {
  // Unanswered, the DATA command leaves the MTA's next packet waiting for a delayed ACK.
  ScriptedMta mta(port_);
  ASSERT_TRUE(mta.connected());
  upToRecipient(mta, 6, 0x1fffff & ~p::kStepNoReplyData);
  EXPECT_EQ(mta.exchange(packet(p::kData)), "c");
}

TEST_F(MilterProtocol, APacketOfImpossibleSizeEndsTheConnection) {
  ScriptedMta mta(port_);
  ASSERT_TRUE(mta.connected());
  EXPECT_EQ(mta.exchange(offer(6, 0)), "O");
  mta.send(uint32Bytes(p::kMaxPacket + 1) + "B");
  EXPECT_EQ(mta.readOnce(), std::nullopt);
}

TEST_F(MilterProtocol, AbortAndQuitNewConnectionStartAfresh) {
  ScriptedMta mta(port_);
  ASSERT_TRUE(mta.connected());
  upToRecipient(mta, 6, 0x1fffff);
  mta.send(packet(p::kAbort) + packet(p::kQuitNewConnection));
  EXPECT_EQ(mta.exchange(packet(p::kConnect, bytes("mx.test\0004\x04\xd2"
                                                   "192.0.2.9\0"))),
            "c");
  EXPECT_EQ(mta.exchange(packet(p::kMail, bytes("<s@sender.test>\0"))), "c");
}

TEST_F(MilterProtocol, RepliesTheSocketCannotTakeAtOnceStillArriveWhole) {
  // Replies are written at once on the non-blocking socket; what it does not take waits. An MTA
  // that sends many answered commands and reads nothing for a while fills the socket.
  ScriptedMta mta(port_, 4096);
  ASSERT_TRUE(mta.connected());
  ASSERT_EQ(mta.exchange(offer(6, 0)), "O");  // no step agreed: every command is answered
  constexpr size_t kCommands = 400'000;
  std::string unknown = packet(p::kUnknown, bytes("NOOP\0"));
  std::string commands;
  for (size_t i = 0; i < kCommands; ++i) commands += unknown;
  std::thread writer([&] { mta.send(commands); });
  std::this_thread::sleep_for(300ms);
  std::string received;
  while (received.size() < kCommands * packet(p::kContinue).size()) {
    auto got = mta.readOnce(5000ms);
    if (!got || got->empty()) break;
    received += *got;
  }
  writer.join();
  std::string replies = ScriptedMta::commands(received);
  EXPECT_EQ(replies.size(), kCommands);
  EXPECT_EQ(replies.find_first_not_of(p::kContinue), std::string::npos);
}

TEST(MilterListener, EveryThreadServesTheConnectionsItAccepts) {
  // Over TCP every thread listens (the kernel spreads the connections between them); a thread
  // that did not serve what it accepted would leave some of these unanswered.
  uint16_t port = test::freeLoopbackPort();
  MilterSettings settings;
  settings.io_threads = 3;
  MilterServer server(listenSpec(port), testContext(), settings);
  server.start();
  std::vector<std::unique_ptr<ScriptedMta>> mtas;
  for (int i = 0; i < 24; ++i) {
    mtas.push_back(std::make_unique<ScriptedMta>(port));
    ASSERT_TRUE(mtas.back()->connected());
  }
  for (auto& mta : mtas) EXPECT_EQ(mta->exchange(offer(6, 0x1fffff)), "O");
  mtas.clear();
  server.stop();
}

TEST(MilterListener, AnAddressInUseIsRefused) {
  uint16_t port = test::freeLoopbackPort();
  MilterServer first(listenSpec(port), testContext(), MilterSettings{});
  first.start();
  // Every thread of the first listens with SO_REUSEPORT; a second gateway must not join them.
  MilterServer second(listenSpec(port), testContext(), MilterSettings{});
  EXPECT_THROW(second.start(), std::runtime_error);
  {
    ScriptedMta mta(port);
    ASSERT_TRUE(mta.connected());
    EXPECT_EQ(mta.exchange(offer(6, 0x1fffff)), "O");
  }
  first.stop();

  // Nor may it share the address with another program.
  int other = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(bind(other, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(other, 4), 0);
  ASSERT_EQ(getsockname(other, reinterpret_cast<sockaddr*>(&address), &length), 0);
  MilterServer third(listenSpec(ntohs(address.sin_port)), testContext(), MilterSettings{});
  EXPECT_THROW(third.start(), std::runtime_error);
  close(other);
}

}  // namespace
}  // namespace portcullis::milter
