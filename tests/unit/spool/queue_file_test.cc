#include "gateway/spool/queue_file.h"

#include <gtest/gtest.h>

#include "gateway/spool/record_format.h"
#include "test_entries.h"

namespace portcullis::spool {
namespace {

using testing::fullMeta;
using testing::kSimpleMessage;
using testing::plainMeta;

void expectSameMeta(const MessageMeta& a, const MessageMeta& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.arrival, b.arrival);
  EXPECT_EQ(a.client.address, b.client.address);
  EXPECT_EQ(a.client.port, b.client.port);
  EXPECT_EQ(a.client.hostname, b.client.hostname);
  EXPECT_EQ(a.client.helo, b.client.helo);
  EXPECT_EQ(a.client.esmtp, b.client.esmtp);
  ASSERT_EQ(a.client.tls.has_value(), b.client.tls.has_value());
  if (a.client.tls) {
    EXPECT_EQ(a.client.tls->version, b.client.tls->version);
    EXPECT_EQ(a.client.tls->cipher, b.client.tls->cipher);
    EXPECT_EQ(a.client.tls->bits, b.client.tls->bits);
  }
  EXPECT_EQ(a.client.auth_user, b.client.auth_user);
  EXPECT_EQ(a.envelope.mail_from, b.envelope.mail_from);
  EXPECT_EQ(a.envelope.params.size, b.envelope.params.size);
  EXPECT_EQ(a.envelope.params.body, b.envelope.params.body);
  EXPECT_EQ(a.envelope.params.smtputf8, b.envelope.params.smtputf8);
  EXPECT_EQ(a.envelope.params.ret, b.envelope.params.ret);
  EXPECT_EQ(a.envelope.params.envid, b.envelope.params.envid);
  ASSERT_EQ(a.envelope.recipients.size(), b.envelope.recipients.size());
  for (size_t i = 0; i < a.envelope.recipients.size(); ++i) {
    EXPECT_EQ(a.envelope.recipients[i].address, b.envelope.recipients[i].address);
    EXPECT_EQ(a.envelope.recipients[i].notify, b.envelope.recipients[i].notify);
    EXPECT_EQ(a.envelope.recipients[i].orcpt, b.envelope.recipients[i].orcpt);
  }
}

QueueFile roundTrip(const MessageMeta& meta, std::string_view message) {
  auto decoded = decodeQueueFile(encodeQueueFileToString(meta, message));
  EXPECT_TRUE(decoded) << decoded.error;
  return decoded ? *decoded : QueueFile{};
}

TEST(QueueFile, RoundTripsAPlainEntry) {
  auto meta = plainMeta();
  auto file = roundTrip(meta, kSimpleMessage);
  expectSameMeta(file.meta, meta);
  EXPECT_EQ(file.message, kSimpleMessage);
}

TEST(QueueFile, RoundTripsEveryOptionalFieldAndOddParameters) {
  auto meta = fullMeta();
  meta.envelope.recipients.push_back(Recipient{"we%ird\r\nrcpt@x", "DELAY , FAILURE", "x;%\n"});
  meta.envelope.params.envid = "line1\r\nMAIL FROM:<evil>";
  auto file = roundTrip(meta, kSimpleMessage);
  expectSameMeta(file.meta, meta);
}

TEST(QueueFile, RoundTripsNullSenderAndEmptyMessage) {
  auto meta = plainMeta();
  meta.envelope.mail_from.clear();
  auto file = roundTrip(meta, "");
  expectSameMeta(file.meta, meta);
  EXPECT_EQ(file.message, "");
}

TEST(QueueFile, RoundTripsBinaryAndEightBitContent) {
  std::string message;
  for (int round = 0; round < 4; ++round) {
    for (int c = 0; c < 256; ++c) message.push_back(static_cast<char>(c));
  }
  // Content that looks like the format itself must stay content.
  message += "\nsha256 0000000000000000000000000000000000000000000000000000000000000000\n";
  message += "\nPORTCULLIS-QUEUE 1\nrcpt injected@example.org\n";
  auto file = roundTrip(plainMeta(), message);
  EXPECT_EQ(file.message, message);
  EXPECT_EQ(file.meta.envelope.recipients.size(), 1u);
}

TEST(QueueFile, RoundTripsAHugeRecipientList) {
  auto meta = plainMeta();
  meta.envelope.recipients.clear();
  for (int i = 0; i < 20000; ++i) {
    meta.envelope.recipients.push_back(Recipient{"user" + std::to_string(i) + "@example.net",
                                                 i % 3 == 0 ? "NEVER" : "",
                                                 i % 5 == 0 ? "rfc822;o@x" : ""});
  }
  auto file = roundTrip(meta, kSimpleMessage);
  expectSameMeta(file.meta, meta);
}

TEST(QueueFile, EveryTruncationIsDetected) {
  std::string bytes = encodeQueueFileToString(fullMeta(), kSimpleMessage);
  for (size_t length = 0; length < bytes.size(); ++length) {
    auto decoded = decodeQueueFile(std::string_view(bytes).substr(0, length));
    EXPECT_FALSE(decoded) << "prefix of " << length << " bytes accepted";
    EXPECT_FALSE(decoded.error.empty());
  }
}

TEST(QueueFile, AFlippedBitIsACheckumMismatch) {
  std::string bytes = encodeQueueFileToString(plainMeta(), kSimpleMessage);
  bytes[bytes.size() / 2] ^= 0x20;
  auto decoded = decodeQueueFile(bytes);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error, "checksum mismatch (file damaged)");
}

// Builds a file with a valid checksum around hand-written content, to reach the structure
// checks behind the checksum.
std::string sealed(const std::string& content) {
  return content + checksumLine({content});
}

std::string decodeError(const std::string& content) {
  auto decoded = decodeQueueFile(sealed(content));
  EXPECT_FALSE(decoded) << "accepted: " << content;
  return decoded.error;
}

const std::string kHead =
    "PORTCULLIS-QUEUE 1\nid 0123456789ABCDEFGH\narrival 1\nmail-from a@b\nrcpt c@d\n";

TEST(QueueFile, StructureErrorsAreNamed) {
  EXPECT_EQ(decodeError("PORTCULLIS-QUEUE 2\n"), "line 1: unsupported format version '2'");
  EXPECT_EQ(decodeError("PORTCULLIS-STATE 1\n"),
            "line 1: not a PORTCULLIS-QUEUE file (bad magic line)");
  EXPECT_EQ(decodeError(kHead + "colour blue\nmessage 0\n\n"), "line 6: unknown field 'colour'");
  EXPECT_EQ(decodeError(kHead + "arrival 2\nmessage 0\n\n"), "line 6: repeated field 'arrival'");
  EXPECT_EQ(decodeError(kHead + "message 0\n\nrcpt e@f\n"), "line 8: field after the message");
  EXPECT_EQ(decodeError(kHead + "message 10\nabc\n"), "line 6: blob of 10 bytes is truncated");
  EXPECT_EQ(decodeError(kHead), "missing field 'message'");
  EXPECT_EQ(decodeError("PORTCULLIS-QUEUE 1\nid nope\n"), "line 2: invalid queue id");
  EXPECT_EQ(decodeError("PORTCULLIS-QUEUE 1\nrcpt-notify NEVER\n"),
            "line 2: 'rcpt-notify' before any 'rcpt'");
  EXPECT_EQ(decodeError("PORTCULLIS-QUEUE 1\narrival 99999999999999999\n"),
            "line 2: bad arrival time");
  EXPECT_EQ(decodeError("PORTCULLIS-QUEUE 1\nclient-port 65536\n"), "line 2: bad client port");
  EXPECT_EQ(decodeError("PORTCULLIS-QUEUE 1\nid 0123456789ABCDEFGH\narrival 1\nmail-from a@b\n"
                        "message 0\n\n"),
            "no recipients");
}

TEST(QueueFile, GarbageGivesAnErrorNotACrash) {
  for (std::string garbage :
       {std::string(), std::string("\n"), std::string(80, '\0'), std::string(200, 'x'),
        std::string("sha256 ") + std::string(65, 'f')}) {
    auto decoded = decodeQueueFile(garbage);
    EXPECT_FALSE(decoded);
    EXPECT_FALSE(decoded.error.empty());
  }
}

TEST(StateFile, RoundTrips) {
  DeliveryState state;
  state.attempts = 7;
  state.next_attempt = TimePoint(std::chrono::microseconds(1'790'000'300'000'001));
  state.last_attempt = TimePoint(std::chrono::microseconds(1'790'000'000'000'002));
  state.delay_notice_sent = true;
  state.recipients = {
      RecipientState{RecipientStatus::Delivered, "250 2.0.0 Ok: queued as 1234", "mx.internal",
                     state.last_attempt, false},
      RecipientState{RecipientStatus::Failed, "550 5.1.1 <c@d>: Recipient address rejected\nx",
                     "mx.internal", state.last_attempt, true},
      RecipientState{RecipientStatus::Delayed, "451 4.3.0 try later", "", {}, false},
      RecipientState{},
  };
  std::string id = newQueueId();
  auto decoded = decodeStateFile(encodeStateFile(id, state));
  ASSERT_TRUE(decoded) << decoded.error;
  EXPECT_EQ(decoded->id, id);
  const DeliveryState& back = decoded->state;
  EXPECT_EQ(back.attempts, 7u);
  EXPECT_EQ(back.next_attempt, state.next_attempt);
  EXPECT_EQ(back.last_attempt, state.last_attempt);
  EXPECT_TRUE(back.delay_notice_sent);
  ASSERT_EQ(back.recipients.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(back.recipients[i].status, state.recipients[i].status);
    EXPECT_EQ(back.recipients[i].reply, state.recipients[i].reply);
    EXPECT_EQ(back.recipients[i].remote_mta, state.recipients[i].remote_mta);
    EXPECT_EQ(back.recipients[i].last_attempt, state.recipients[i].last_attempt);
    EXPECT_EQ(back.recipients[i].notified, state.recipients[i].notified);
  }
  EXPECT_EQ(back.unfinished(), 2u);
}

TEST(StateFile, ErrorsAreNamed) {
  auto error = [](const std::string& content) {
    auto decoded = decodeStateFile(sealed(content));
    EXPECT_FALSE(decoded);
    return decoded.error;
  };
  EXPECT_EQ(error("PORTCULLIS-STATE 1\nid 0123456789ABCDEFGH\nrcpt lost\n"),
            "line 3: unknown recipient status");
  EXPECT_EQ(error("PORTCULLIS-STATE 1\nid 0123456789ABCDEFGH\nattempts 1\n"),
            "missing field 'next-attempt'");
  EXPECT_EQ(error("PORTCULLIS-STATE 1\nattempts 4294967296\n"), "line 2: bad attempts");
  EXPECT_EQ(error("PORTCULLIS-STATE 1\nrcpt pending\nrcpt-notified 1\nrcpt-notified 1\n"),
            "line 4: repeated 'rcpt-notified'");
  EXPECT_FALSE(decodeStateFile(encodeQueueFileToString(plainMeta(), "")));
}

}  // namespace
}  // namespace portcullis::spool
