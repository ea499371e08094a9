#include "filters/content/rule_places.h"

#include <charconv>
#include <system_error>

namespace portcullis::content {
namespace fs = std::filesystem;
namespace {

bool holdsRuleFiles(const fs::path& dir) {
  std::error_code error;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    if (it->path().extension() == ".cf" && it->is_regular_file(error)) return true;
  }
  return false;
}

// SpamAssassin's version directories are named by its numeric version ("3.004006", "4.000001").
std::optional<double> versionOf(const std::string& name) {
  double version = 0;
  const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), version);
  if (error != std::errc() || end != name.data() + name.size()) return std::nullopt;
  return version;
}

}  // namespace

fs::path shippedRulesDir() {
  std::error_code error;
  const fs::path binary = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    const fs::path installed = binary.parent_path().parent_path() / "share/portcullis/rules";
    if (fs::is_directory(installed, error)) return installed;
  }
  return fs::path(PORTCULLIS_SOURCE_DIR) / "rules";
}

std::optional<fs::path> findStockRules(const StockRulePlaces& places) {
  std::optional<std::pair<double, fs::path>> newest;
  std::error_code error;
  for (fs::directory_iterator it(places.update_root, error), end; !error && it != end;
       it.increment(error)) {
    const auto version = versionOf(it->path().filename().string());
    if (!version || !holdsRuleFiles(it->path())) continue;
    if (!newest || *version > newest->first) newest.emplace(*version, it->path());
  }
  if (newest) return newest->second;
  if (holdsRuleFiles(places.packaged)) return places.packaged;
  return std::nullopt;
}

}  // namespace portcullis::content
