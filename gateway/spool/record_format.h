// The line format shared by queue files and state files, with its checksum frame:
//
//   MAGIC VERSION\n                first line, e.g. "PORTCULLIS-QUEUE 1"
//   key SP value\n                 one field; value percent-escaped ('%', controls, DEL)
//   key SP length\n BYTES \n       a blob: exactly `length` raw bytes (any content)
//   sha256 SP 64-hex\n             last line: SHA-256 of every byte before it
//
// The reader works on untrusted bytes: every malformation is a clear error naming the line,
// never a crash or an out-of-bounds read.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "gateway/spool/result.h"

namespace portcullis::spool {

// '%' and bytes below 0x20 or equal to 0x7F become %XX; everything else (including 8-bit
// bytes and spaces) stays as it is.
std::string escapeValue(std::string_view value);
// The inverse; false when a '%' is not followed by two hex digits or a raw control byte appears.
bool unescapeValue(std::string_view escaped, std::string& out);

class RecordWriter {
 public:
  explicit RecordWriter(std::string_view magic_line);

  void field(std::string_view key, std::string_view value);
  void number(std::string_view key, int64_t value);
  // The header line of a blob ("key length\n"); the caller then writes the bytes and "\n".
  void blobHeader(std::string_view key, uint64_t length);

  std::string& text() { return text_; }

 private:
  std::string text_;
};

// "sha256 <hex>\n" over the concatenation of `pieces`.
std::string checksumLine(std::initializer_list<std::string_view> pieces);

// Checks the trailing checksum line and returns the bytes it covers (a view into `file`).
Result<std::string_view> verifyChecksum(std::string_view file);

class RecordReader {
 public:
  // `content` is the checksum-covered part of a file; it must outlive the reader.
  explicit RecordReader(std::string_view content) : rest_(content) {}

  // Reads the magic line and checks it is exactly `expected_magic_line`.
  Status expectMagic(std::string_view expected_magic_line);
  // Reads the next "key value" line. False at the end of input (error() empty) or on a
  // malformed line (error() set).
  bool next(std::string& key, std::string& value);
  // After a blob header line whose value was `length_text`: returns the blob bytes and consumes
  // them with their closing "\n"; an error when the length is malformed or runs past the end.
  Result<std::string_view> blob(std::string_view length_text);

  const std::string& error() const { return error_; }
  size_t line() const { return line_; }
  // "line N: what"
  std::string errorAt(std::string_view what) const;

 private:
  bool takeLine(std::string_view& line);

  std::string_view rest_;
  size_t line_ = 0;
  std::string error_;
};

// Strict decimal parsers for field values (no sign for unsigned, no spaces, no overflow).
bool parseUnsigned(std::string_view text, uint64_t& out);
bool parseSigned(std::string_view text, int64_t& out);

}  // namespace portcullis::spool
