// The record framing of the spool's commit journal (see spool.h): a segment file is a sequence of
// frames, each "PJR1" + type (1 byte) + payload length (u32, little endian) + FNV-1a-64 of the
// payload (u64, little endian) + payload. A Store frame carries a whole queue file (which has its
// own SHA-256 line); a Forget frame carries a queue id whose entry left the queue. The parser
// returns the frames of the longest valid prefix: a torn or damaged tail (a crash in the middle of
// a write that was never acknowledged) ends the journal, it is never misread.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace portcullis::spool {

enum class JournalRecordType : char { Store = 'S', Forget = 'F' };

inline constexpr size_t kJournalFrameHeaderSize = 4 + 1 + 4 + 8;

// The header of a frame whose payload is the concatenation of `payload`.
std::string journalFrameHeader(JournalRecordType type,
                               std::initializer_list<std::string_view> payload);

struct JournalRecord {
  JournalRecordType type;
  std::string_view payload;  // a view into the parsed bytes
};

struct ParsedJournal {
  std::vector<JournalRecord> records;
  size_t valid_length = 0;  // bytes covered by `records`; anything after is a torn or bad tail
};

ParsedJournal parseJournal(std::string_view bytes);

}  // namespace portcullis::spool
