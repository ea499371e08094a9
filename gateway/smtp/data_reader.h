// Reads the message of a DATA command from the byte stream (RFC 5321 §4.1.1.4, §4.5.2): finds the
// end of data, undoes dot-stuffing and enforces the size limit. The end is only <CRLF>.<CRLF>:
// "<LF>.<LF>", "<LF>.<CR><LF>" and friends never end the message, so SMTP smuggling
// (CVE-2023-51764) cannot make the gateway — or the relay after it — see a second message.
// A bare <CR> or <LF> either taints the message (the session rejects it after the end of data)
// or is normalised to <CRLF>, by configuration. Pure: feed bytes, read the result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace portcullis::smtp {

enum class BareLineEndPolicy { Reject, Normalize };

class DataReader {
 public:
  // Reserves room in `out` for a typical message, so it does not grow by repeated copies.
  DataReader(uint64_t max_size, BareLineEndPolicy policy, std::string& out);

  // Consumes bytes; returns how many were used. Stops right after the terminating <CRLF>.<CRLF>,
  // so the caller keeps the rest (pipelined commands) for the command reader.
  size_t feed(std::string_view bytes);

  bool done() const { return state_ == State::Done; }
  bool tooBig() const { return too_big_; }
  bool sawBareLineEnd() const { return bare_line_end_; }
  uint64_t size() const {
    return size_;
  }  // message bytes after unstuffing, counted even past the limit

 private:
  enum class State { LineStart, InLine, AfterCr, Dot, DotCr, Done };
  // Appends `run` to the message as far as the size limit allows; counts all of it.
  void emit(std::string_view run);
  void emitLineEnd();
  // A CR not followed by LF: a line end under BareLineEndPolicy::Normalize, else a byte of the
  // line; either way the message is marked as having a bare line end.
  void emitBareCr();
  // Where the next LF is, searched for at most once per stretch of one feed()'s bytes (so input
  // without LFs is never scanned again and again).
  struct NextLf {
    size_t at = 0;
    bool known = false;
    // The first LF at or after `from` (bytes.size() when there is none).
    size_t find(std::string_view bytes, size_t from);
  };
  // The common case in one piece: appends the run of ordinary lines (no bare CR or LF, no leading
  // dot, ended by CRLF) that starts at bytes[from], and returns the index after it; the
  // byte-by-byte states take over where it stops.
  size_t takeCompleteLines(std::string_view bytes, size_t from, NextLf& next_lf);
  // One byte-by-byte step from bytes[i]; returns the index of the next unread byte.
  size_t step(std::string_view bytes, size_t i);

  uint64_t max_size_;
  BareLineEndPolicy policy_;
  std::string& out_;
  State state_ = State::LineStart;
  uint64_t size_ = 0;
  bool too_big_ = false;
  bool bare_line_end_ = false;
};

}  // namespace portcullis::smtp
