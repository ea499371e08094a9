#include "gateway/spool/journal_format.h"

namespace portcullis::spool {

namespace {

constexpr std::string_view kFrameMagic = "PJR1";

class Fnv1a64 {
 public:
  void add(std::string_view bytes) {
    for (unsigned char c : bytes) {
      hash_ ^= c;
      hash_ *= 1099511628211ull;
    }
  }
  uint64_t value() const { return hash_; }

 private:
  uint64_t hash_ = 14695981039346656037ull;
};

void putLittleEndian(std::string& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint64_t getLittleEndian(std::string_view in, int bytes) {
  uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(in[i]);
  return value;
}

bool knownType(char type) {
  return type == static_cast<char>(JournalRecordType::Store) ||
         type == static_cast<char>(JournalRecordType::Forget);
}

}  // namespace

std::string journalFrameHeader(JournalRecordType type,
                               std::initializer_list<std::string_view> payload) {
  Fnv1a64 hash;
  uint64_t length = 0;
  for (auto piece : payload) {
    hash.add(piece);
    length += piece.size();
  }
  std::string header(kFrameMagic);
  header.push_back(static_cast<char>(type));
  putLittleEndian(header, length, 4);
  putLittleEndian(header, hash.value(), 8);
  return header;
}

ParsedJournal parseJournal(std::string_view bytes) {
  ParsedJournal parsed;
  size_t at = 0;
  while (bytes.size() - at >= kJournalFrameHeaderSize) {
    std::string_view header = bytes.substr(at, kJournalFrameHeaderSize);
    if (!header.starts_with(kFrameMagic) || !knownType(header[4])) break;
    uint64_t length = getLittleEndian(header.substr(5), 4);
    if (bytes.size() - at - kJournalFrameHeaderSize < length) break;
    std::string_view payload = bytes.substr(at + kJournalFrameHeaderSize, length);
    Fnv1a64 hash;
    hash.add(payload);
    if (hash.value() != getLittleEndian(header.substr(9), 8)) break;
    parsed.records.push_back({static_cast<JournalRecordType>(header[4]), payload});
    at += kJournalFrameHeaderSize + length;
  }
  parsed.valid_length = at;
  return parsed;
}

}  // namespace portcullis::spool
