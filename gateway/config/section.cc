#include "gateway/config/section.h"

#include <toml++/toml.h>
#include <charconv>
#include <mutex>
#include <set>

namespace portcullis::config {

namespace {
int lineOf(const toml::node* node) {
  return node ? static_cast<int>(node->source().begin.line) : 0;
}
}  // namespace

ConfigError::ConfigError(std::string file, int line, const std::string& message)
    : std::runtime_error(file + ":" + std::to_string(line) + ": " + message),
      file_(std::move(file)),
      line_(line),
      message_(message) {}

void RequestedKeys::add(std::string path) {
  std::lock_guard lock(mutex_);
  paths_.insert(std::move(path));
}

std::set<std::string> RequestedKeys::paths() const {
  std::lock_guard lock(mutex_);
  return paths_;
}

struct Section::State {
  const toml::table* table;
  std::set<std::string> used;
  std::shared_ptr<RequestedKeys> requested;
};

Section::Section(const void* table, std::string path, std::string file,
                 std::shared_ptr<RequestedKeys> requested)
    : state_(std::make_unique<State>(
          State{static_cast<const toml::table*>(table), {}, std::move(requested)})),
      path_(std::move(path)),
      file_(std::move(file)) {}
Section::~Section() = default;
Section::Section(Section&&) noexcept = default;
Section& Section::operator=(Section&&) noexcept = default;

int Section::line() const {
  return lineOf(state_->table);
}

bool Section::has(const std::string& key) const {
  return state_->table->contains(key);
}

std::string Section::pathOf(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

void Section::markUsed(const std::string& key) {
  state_->used.insert(key);
  if (state_->requested) state_->requested->add(pathOf(key));
}

void Section::fail(const std::string& key, const std::string& message) const {
  const toml::node* node = state_->table->get(key);
  std::string name = pathOf(key);
  throw ConfigError(file_, node ? lineOf(node) : line(), name + ": " + message);
}

std::string Section::getString(const std::string& key, const std::string& fallback) {
  markUsed(key);
  const toml::node* node = state_->table->get(key);
  if (!node) return fallback;
  if (!node->is_string()) fail(key, "expected a string");
  return std::string(*node->as_string());
}

std::string Section::getChoice(const std::string& key, const std::string& fallback,
                               const std::vector<std::string>& allowed) {
  std::string value = getString(key, fallback);
  for (const auto& a : allowed) {
    if (a == value) return value;
  }
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + ("\"" + a + "\"");
  fail(key, "\"" + value + "\" is not one of " + list);
}

int64_t Section::getInt(const std::string& key, int64_t fallback, int64_t min, int64_t max) {
  markUsed(key);
  const toml::node* node = state_->table->get(key);
  if (!node) return fallback;
  if (!node->is_integer()) fail(key, "expected an integer");
  int64_t v = node->as_integer()->get();
  if (v < min || v > max) {
    fail(key, std::to_string(v) + " is out of range [" + std::to_string(min) + ", " +
                  std::to_string(max) + "]");
  }
  return v;
}

double Section::getDouble(const std::string& key, double fallback, double min, double max) {
  markUsed(key);
  const toml::node* node = state_->table->get(key);
  if (!node) return fallback;
  double v;
  if (node->is_floating_point()) {
    v = node->as_floating_point()->get();
  } else if (node->is_integer()) {
    v = static_cast<double>(node->as_integer()->get());
  } else {
    fail(key, "expected a number");
  }
  if (!(v >= min && v <= max)) {
    fail(key, std::to_string(v) + " is out of range [" + std::to_string(min) + ", " +
                  std::to_string(max) + "]");
  }
  return v;
}

bool Section::getBool(const std::string& key, bool fallback) {
  markUsed(key);
  const toml::node* node = state_->table->get(key);
  if (!node) return fallback;
  if (!node->is_boolean()) fail(key, "expected true or false");
  return node->as_boolean()->get();
}

std::chrono::milliseconds Section::getDuration(const std::string& key,
                                               std::chrono::milliseconds fallback,
                                               std::chrono::milliseconds min,
                                               std::chrono::milliseconds max) {
  markUsed(key);
  const toml::node* node = state_->table->get(key);
  if (!node) return fallback;
  if (!node->is_string()) fail(key, "expected a duration string such as \"30s\", \"5m\", \"4h\"");
  auto d = parseDuration(node->as_string()->get());
  if (!d) fail(key, "\"" + node->as_string()->get() + "\" is not a duration (e.g. \"30s\")");
  if (*d < min || *d > max) {
    fail(key, "duration is out of range [" + std::to_string(min.count()) + "ms, " +
                  std::to_string(max.count()) + "ms]");
  }
  return *d;
}

uint64_t Section::getSize(const std::string& key, uint64_t fallback, uint64_t min, uint64_t max) {
  markUsed(key);
  const toml::node* node = state_->table->get(key);
  if (!node) return fallback;
  std::optional<uint64_t> v;
  if (node->is_integer() && node->as_integer()->get() >= 0) {
    v = static_cast<uint64_t>(node->as_integer()->get());
  } else if (node->is_string()) {
    v = parseSize(node->as_string()->get());
  }
  if (!v) fail(key, "expected a size such as 10485760 or \"10M\"");
  if (*v < min || *v > max) {
    fail(key, std::to_string(*v) + " bytes is out of range [" + std::to_string(min) + ", " +
                  std::to_string(max) + "]");
  }
  return *v;
}

std::vector<std::string> Section::getStrings(const std::string& key,
                                             const std::vector<std::string>& fallback) {
  markUsed(key);
  const toml::node* node = state_->table->get(key);
  if (!node) return fallback;
  if (!node->is_array()) fail(key, "expected an array of strings");
  std::vector<std::string> out;
  for (const auto& element : *node->as_array()) {
    if (!element.is_string()) {
      throw ConfigError(file_, lineOf(&element), path_ + "." + key + ": expected a string");
    }
    out.emplace_back(*element.as_string());
  }
  return out;
}

std::optional<Section> Section::sub(const std::string& key) {
  markUsed(key);
  const toml::node* node = state_->table->get(key);
  if (!node) return std::nullopt;
  if (!node->is_table()) fail(key, "expected a table");
  return Section(node->as_table(), pathOf(key), file_, state_->requested);
}

std::vector<std::string> Section::keys() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : *state_->table) out.emplace_back(k.str());
  return out;
}

std::vector<Section> Section::subArray(const std::string& key) {
  markUsed(key);
  const toml::node* node = state_->table->get(key);
  std::vector<Section> out;
  if (!node) return out;
  if (!node->is_array_of_tables()) fail(key, "expected an array of tables ([[" + key + "]])");
  for (const auto& element : *node->as_array()) {
    out.emplace_back(element.as_table(), pathOf(key), file_, state_->requested);
  }
  return out;
}

void Section::finish() const {
  for (const auto& [k, v] : *state_->table) {
    std::string key(k.str());
    if (!state_->used.count(key)) {
      std::string name = pathOf(key);
      throw ConfigError(file_, lineOf(&v), "unknown option \"" + name + "\"");
    }
  }
}

std::optional<std::chrono::milliseconds> parseDuration(std::string_view text) {
  uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || ptr == text.data()) return std::nullopt;
  std::string_view unit(ptr, text.data() + text.size() - ptr);
  uint64_t factor;
  if (unit == "ms")
    factor = 1;
  else if (unit == "s")
    factor = 1000;
  else if (unit == "m")
    factor = 60'000;
  else if (unit == "h")
    factor = 3'600'000;
  else if (unit == "d")
    factor = 86'400'000;
  else
    return std::nullopt;
  if (n > UINT64_MAX / factor / 2) return std::nullopt;
  return std::chrono::milliseconds(n * factor);
}

std::optional<uint64_t> parseSize(std::string_view text) {
  uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || ptr == text.data()) return std::nullopt;
  std::string_view unit(ptr, text.data() + text.size() - ptr);
  uint64_t factor;
  if (unit.empty())
    factor = 1;
  else if (unit == "K")
    factor = 1ULL << 10;
  else if (unit == "M")
    factor = 1ULL << 20;
  else if (unit == "G")
    factor = 1ULL << 30;
  else
    return std::nullopt;
  if (n > UINT64_MAX / factor) return std::nullopt;
  return n * factor;
}

}  // namespace portcullis::config
