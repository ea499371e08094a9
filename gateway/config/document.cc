#include "gateway/config/document.h"

#include <toml++/toml.h>
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

std::shared_ptr<RequestedKeys> Document::recordRequestedKeys() {
  if (!requested_) requested_ = std::make_shared<RequestedKeys>();
  return requested_;
}

}  // namespace portcullis::config
