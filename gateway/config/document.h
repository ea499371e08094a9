// A parsed TOML configuration file. Owns the parsed tree; hands out validating Sections over it.
// A syntax error is a ConfigError with file:line.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/config/section.h"

namespace portcullis::config {

class Document {
 public:
  static Document parseFile(const std::filesystem::path& path);
  static Document parseString(std::string_view text, std::string name);

  Section root() const;
  // From now on, Sections of this document (and of copies made afterwards) record every key
  // asked for.
  std::shared_ptr<RequestedKeys> recordRequestedKeys();
  const std::string& file() const { return file_; }
  // The dotted names ("queue.retry_min") of the keys directly under the table at `path` ("queue",
  // "quarantine.digest") whose values differ between this document and `other`, keys present in
  // only one of them included, sorted. Nested tables and arrays compare whole, by value.
  std::vector<std::string> changedKeys(const Document& other, std::string_view path) const;

 private:
  std::shared_ptr<const void> table_;  // toml::table, type-erased to keep toml++ out of headers
  std::string file_;
  std::shared_ptr<RequestedKeys> requested_;  // null unless recording
};

}  // namespace portcullis::config
