// Error values for the spool: file and format problems are reported as a result with a
// human-readable reason (file name and cause), never as exceptions or crashes.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace portcullis::spool {

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

}  // namespace portcullis::spool
