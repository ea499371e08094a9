#include "gateway/config/document.h"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace portcullis::config {

Document Document::parseString(std::string_view text, std::string name) {
  Document doc;
  doc.file_ = name;
  try {
    auto table = std::make_shared<toml::table>(toml::parse(text, std::string_view(name)));
    doc.table_ = std::shared_ptr<const void>(table, table.get());
  } catch (const toml::parse_error& e) {
    throw ConfigError(name, static_cast<int>(e.source().begin.line), std::string(e.description()));
  }
  return doc;
}

Document Document::parseFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path.string(), 0, "cannot open the configuration file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parseString(buffer.str(), path.string());
}

Section Document::root() const {
  return Section(table_.get(), "", file_, requested_);
}

namespace {

const toml::table& tableAt(const std::shared_ptr<const void>& root, std::string_view path) {
  static const toml::table kEmpty;
  const auto* table = static_cast<const toml::table*>(root.get());
  const toml::table* found = table ? table->at_path(path).as_table() : nullptr;
  return found ? *found : kEmpty;
}

}  // namespace

std::vector<std::string> Document::changedKeys(const Document& other, std::string_view path) const {
  const toml::table& mine = tableAt(table_, path);
  const toml::table& theirs = tableAt(other.table_, path);
  std::vector<std::string> changed;
  auto compare = [&](const toml::key& key) {
    toml::node_view<const toml::node> a(mine.get(key)), b(theirs.get(key));
    std::string name = std::string(path) + "." + std::string(key.str());
    if (a != b && std::find(changed.begin(), changed.end(), name) == changed.end()) {
      changed.push_back(std::move(name));
    }
  };
  for (const auto& [key, value] : mine) compare(key);
  for (const auto& [key, value] : theirs) compare(key);
  std::sort(changed.begin(), changed.end());
  return changed;
}

std::shared_ptr<RequestedKeys> Document::recordRequestedKeys() {
  if (!requested_) requested_ = std::make_shared<RequestedKeys>();
  return requested_;
}

}  // namespace portcullis::config
