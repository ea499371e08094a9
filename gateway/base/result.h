// The one way the gateway reports a failure that can happen at run time: a value (or plain
// success) or a human-readable reason why not. The reason says what failed and why, with the
// file name, key or text concerned where there is one; it is written for logs, the CLI and the
// console, never parsed.
//
// Which style applies where:
// * Result<T> / Status: every function that can fail while the gateway runs or a command works
//   (files, the spool and quarantine, stores, DNS answers, rule and expression texts, messages).
//   Callers test ok() (or the bool), read the value with * or ->, and pass `error` on or log it.
// * std::optional<T>: "there is none" that is not a failure (a lookup that found nothing, a
//   header that is absent). Never for a failure that has a reason to tell.
// * config::ConfigError (an exception): a configuration value that is wrong, thrown through
//   config::Section::fail with file:line, caught once by whoever loads or reloads the
//   configuration.
// * Other exceptions: a constructor or start-up step that cannot build what it was asked for (a
//   library that does not initialise, a port that cannot be bound), and a check's run(), which
//   the Pipeline catches and turns into NAME_CHECK_FAILED (gateway/core/check.h). Nothing else on
//   the mail path throws, and nothing catches an exception without reporting it.
//
// Why not boost::system::result: its errors are error codes rather than messages, value() throws
// on an error (an exception on the mail path), and this shape (ok(), `error`, success/failure)
// is what thirty files of the spool, quarantine and console already read.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace portcullis {

// Success, or a reason why not.
struct Status {
  std::string error;  // empty on success

  bool ok() const { return error.empty(); }
  explicit operator bool() const { return ok(); }
  static Status success() { return {}; }
  static Status failure(std::string reason) { return {std::move(reason)}; }
};

// A value, or a reason why there is none.
template <class T>
struct Result {
  std::optional<T> value;
  std::string error;  // set when value is empty

  bool ok() const { return value.has_value(); }
  explicit operator bool() const { return ok(); }
  T& operator*() { return *value; }
  const T& operator*() const { return *value; }
  T* operator->() { return &*value; }
  const T* operator->() const { return &*value; }

  static Result success(T v) { return {std::move(v), {}}; }
  static Result failure(std::string reason) { return {std::nullopt, std::move(reason)}; }
};

}  // namespace portcullis
