#include "gateway/smtp/data_reader.h"

#include <algorithm>
#include <cstring>

namespace portcullis::smtp {

namespace {
// Room reserved for a message up front (never more than the size limit allows).
constexpr uint64_t kInitialMessageCapacity = 32 * 1024;
}  // namespace

DataReader::DataReader(uint64_t max_size, BareLineEndPolicy policy, std::string& out)
    : max_size_(max_size), policy_(policy), out_(out) {
  out_.reserve(static_cast<size_t>(std::min(kInitialMessageCapacity, max_size_)));
}

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

size_t DataReader::takeCompleteLines(std::string_view bytes, size_t from, NextLf& next_lf) {
  size_t end = from;  // one past the last complete ordinary line
  bool line_start = state_ == State::LineStart;
  while (end < bytes.size()) {
    if (line_start && bytes[end] == '.') break;
    size_t lf = next_lf.find(bytes, end);
    if (lf == bytes.size()) break;                                              // no line end yet
    if (lf == end || bytes[lf - 1] != '\r') break;                              // a bare LF
    if (std::memchr(bytes.data() + end, '\r', lf - 1 - end) != nullptr) break;  // a bare CR
    end = lf + 1;
    line_start = true;
  }
  if (end == from) return from;
  emit(bytes.substr(from, end - from));
  state_ = State::LineStart;
  return end;
}

size_t DataReader::NextLf::find(std::string_view bytes, size_t from) {
  if (!known || at < from) {
    const void* found = std::memchr(bytes.data() + from, '\n', bytes.size() - from);
    at = found ? static_cast<size_t>(static_cast<const char*>(found) - bytes.data()) : bytes.size();
    known = true;
  }
  return at;
}

size_t DataReader::feed(std::string_view bytes) {
  size_t i = 0;
  NextLf next_lf;
  while (i < bytes.size() && state_ != State::Done) {
    if (state_ == State::LineStart || state_ == State::InLine) {
      i = takeCompleteLines(bytes, i, next_lf);
      if (i == bytes.size()) break;
    }
    i = step(bytes, i);
  }
  return i;
}

size_t DataReader::step(std::string_view bytes, size_t i) {
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
  return i;
}

}  // namespace portcullis::smtp
