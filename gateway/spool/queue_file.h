// Encoding and decoding of the two files of a queue entry:
//   <id>.msg   "PORTCULLIS-QUEUE 1": client, envelope, arrival and the message bytes — immutable;
//   <id>.state "PORTCULLIS-STATE 1": the delivery state — rewritten after each attempt.
// Both use the record format of record_format.h and end with a SHA-256 checksum line, so that a
// truncated or damaged file is detected. Decoders accept any bytes: they return a reason for
// everything they reject and never crash.
#pragma once

#include <string>
#include <string_view>

#include "gateway/spool/queue_entry.h"
#include "gateway/spool/result.h"

namespace portcullis::spool {

inline constexpr std::string_view kQueueFileMagic = "PORTCULLIS-QUEUE 1";
inline constexpr std::string_view kStateFileMagic = "PORTCULLIS-STATE 1";

// A queue file in three pieces, so the message bytes are written without being copied:
// the file is head + body + tail.
struct EncodedQueueFile {
  std::string head;
  std::string_view body;
  std::string tail;
};

EncodedQueueFile encodeQueueFile(const MessageMeta& meta, std::string_view message);
std::string encodeQueueFileToString(const MessageMeta& meta, std::string_view message);
// Checksum, then structure.
Result<QueueFile> decodeQueueFile(std::string_view bytes);
// Structure only (the part under the checksum line); for the fuzzer and for tests.
Result<QueueFile> parseQueueFileContent(std::string_view content);

struct StateFile {
  std::string id;
  DeliveryState state;
};

std::string encodeStateFile(std::string_view id, const DeliveryState& state);
Result<StateFile> decodeStateFile(std::string_view bytes);
Result<StateFile> parseStateFileContent(std::string_view content);

// Times are stored as microseconds since the Unix epoch.
int64_t toUnixMicros(TimePoint t);
// False when the value is outside what a TimePoint can hold.
bool fromUnixMicros(int64_t micros, TimePoint& out);

}  // namespace portcullis::spool
