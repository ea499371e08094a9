#include "gateway/smtp/data_reader.h"

#include <algorithm>

namespace portcullis::smtp {

DataReader::DataReader(uint64_t max_size, BareLineEndPolicy policy, std::string& out)
    : max_size_(max_size), policy_(policy), out_(out) {}

void DataReader::emit(std::string_view run) {
  const uint64_t room = size_ < max_size_ ? max_size_ - size_ : 0;
  out_.append(run.substr(0, static_cast<size_t>(std::min<uint64_t>(room, run.size()))));
  size_ += run.size();
  if (size_ > max_size_) too_big_ = true;
}

void DataReader::emitLineEnd() {
  emit("\r\n");
}

void DataReader::emitBareCr() {
  bare_line_end_ = true;
  if (policy_ == BareLineEndPolicy::Normalize)
    emitLineEnd();
  else
    emit("\r");
}

size_t DataReader::feed(std::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size() && state_ != State::Done) {
    char c = bytes[i++];
    switch (state_) {
      case State::LineStart:
        if (c == '.') {
          state_ = State::Dot;
          break;
        }
        [[fallthrough]];
      case State::InLine:
        if (c == '\r') {
          state_ = State::AfterCr;
        } else if (c == '\n') {
          // A bare LF: never a line end for the end-of-data test.
          bare_line_end_ = true;
          if (policy_ == BareLineEndPolicy::Normalize)
            emitLineEnd();
          else
            emit("\n");
          state_ = State::InLine;
        } else {
          // Ordinary content: the run up to the next CR or LF goes out in one piece.
          size_t end = i;
          while (end < bytes.size() && bytes[end] != '\r' && bytes[end] != '\n') ++end;
          emit(bytes.substr(i - 1, end - i + 1));
          i = end;
          state_ = State::InLine;
        }
        break;
      case State::AfterCr:
        if (c == '\n') {
          emitLineEnd();
          state_ = State::LineStart;
        } else {
          emitBareCr();
          --i;  // look at this byte again as ordinary line content
          state_ = State::InLine;
        }
        break;
      case State::Dot:
        if (c == '\r') {
          state_ = State::DotCr;
        } else {
          // Dot-stuffing: a leading dot is removed (RFC 5321 §4.5.2); the rest is the line.
          --i;
          state_ = State::InLine;
        }
        break;
      case State::DotCr:
        if (c == '\n') {
          state_ = State::Done;
        } else {
          // "." <CR> followed by something other than LF: a bare CR in a line that began with
          // a (stuffing) dot.
          emitBareCr();
          --i;
          state_ = State::InLine;
        }
        break;
      case State::Done:
        break;
    }
  }
  return i;
}

}  // namespace portcullis::smtp
