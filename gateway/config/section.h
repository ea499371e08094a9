// Typed, validating access to one table of the TOML configuration, for the gateway's own sections
// and for each check's `[checks.NAME]` table. Every getter checks type and range and throws
// ConfigError naming `file:line` of the offending value; finish() rejects keys nobody asked for,
// so a misspelt option stops start-up instead of being silently ignored.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace portcullis::config {

class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, int line, const std::string& message);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  const std::string& message() const { return message_; }

 private:
  std::string file_;
  int line_;
  std::string message_;
};

// Collects the dotted path ("checks.dnsbl.skip_local") of every key any Section over one Document
// was asked for, present or not: the options the code reads. Shared by the Sections handed out,
// safe to fill from several threads.
class RequestedKeys {
 public:
  void add(std::string path);
  std::set<std::string> paths() const;

 private:
  mutable std::mutex mutex_;
  std::set<std::string> paths_;
};

// One allowed value of an enum-valued key: how the file spells it and the value it stands for.
template <typename E>
struct Choice {
  const char* name;
  E value;
};

class Section {
 public:
  // `table` is a toml::table owned by the caller, alive while the Section is used. With
  // `requested`, every key asked for (and every sub-table) is recorded there.
  Section(const void* table, std::string path, std::string file,
          std::shared_ptr<RequestedKeys> requested = nullptr);
  ~Section();
  Section(Section&&) noexcept;
  Section& operator=(Section&&) noexcept;

  const std::string& path() const { return path_; }
  const std::string& file() const { return file_; }
  int line() const;  // line of the table header (or of its first key)
  bool has(const std::string& key) const;

  std::string getString(const std::string& key, const std::string& fallback);
  // One of `allowed`; anything else is an error listing them.
  std::string getChoice(const std::string& key, const std::string& fallback,
                        const std::vector<std::string>& allowed);
  // The value of one of `choices`, read once into its enum; any other string is an error at the
  // key's line listing the choices. `fallback`, the value of an absent key, is one of them.
  template <typename E>
  E choice(const std::string& key, E fallback, std::initializer_list<Choice<E>> choices);
  int64_t getInt(const std::string& key, int64_t fallback, int64_t min, int64_t max);
  double getDouble(const std::string& key, double fallback, double min, double max);
  bool getBool(const std::string& key, bool fallback);
  // "250ms", "30s", "5m", "4h", "5d"; must lie within [min, max].
  std::chrono::milliseconds getDuration(const std::string& key, std::chrono::milliseconds fallback,
                                        std::chrono::milliseconds min,
                                        std::chrono::milliseconds max);
  // "10M", "512K", "2G" or a plain integer count of bytes.
  uint64_t getSize(const std::string& key, uint64_t fallback, uint64_t min, uint64_t max);
  std::vector<std::string> getStrings(const std::string& key,
                                      const std::vector<std::string>& fallback);
  // A sub-table; nullopt when absent (then the key counts as known).
  std::optional<Section> sub(const std::string& key);
  // Keys of the table in file order (for tables keyed by user-chosen names, e.g. zones).
  std::vector<std::string> keys() const;
  // An array of tables (`[[checks.dnsbl.zone]]`).
  std::vector<Section> subArray(const std::string& key);

  // A ConfigError at the key's line (or the table's line when the key is absent).
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;
  // Throws for every key present in the table but never read.
  void finish() const;

 private:
  std::string pathOf(const std::string& key) const;
  void markUsed(const std::string& key);

  struct State;
  std::unique_ptr<State> state_;
  std::string path_;
  std::string file_;
};

template <typename E>
E Section::choice(const std::string& key, E fallback, std::initializer_list<Choice<E>> choices) {
  std::vector<std::string> names;
  std::string fallback_name;
  for (const Choice<E>& c : choices) {
    names.emplace_back(c.name);
    if (c.value == fallback) fallback_name = c.name;
  }
  const std::string value = getChoice(key, fallback_name, names);
  auto chosen = std::find_if(choices.begin(), choices.end(),
                             [&value](const Choice<E>& c) { return value == c.name; });
  return chosen->value;  // getChoice accepts only a listed name
}

// Parses a duration like "30s" (ms, s, m, h, d); nullopt when malformed.
std::optional<std::chrono::milliseconds> parseDuration(std::string_view text);
// Parses a size like "10M" (K, M, G powers of 1024) or "12345"; nullopt when malformed.
std::optional<uint64_t> parseSize(std::string_view text);

}  // namespace portcullis::config
