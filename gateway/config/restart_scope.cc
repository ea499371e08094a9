#include "gateway/config/restart_scope.h"

#include <algorithm>
#include <string_view>

namespace portcullis::config {
namespace {

// Tables whose every key is read once at start.
constexpr std::string_view kStartOnlyTables[] = {"queue", "dns", "metrics", "milter", "quarantine"};

// Keys a new session's context takes up at each reload; the rest of their table is read at start.
struct PartlyReloaded {
  std::string_view table;
  std::vector<std::string_view> reloaded;  // every other key of the table needs a restart
};

const std::vector<PartlyReloaded>& partlyReloadedTables() {
  static const std::vector<PartlyReloaded> tables{
      {"server", {"hostname", "authserv_id", "client_reverse_lookup"}},
      {"pipeline", {"check_timeout"}},
      {"log", {"format"}},
  };
  return tables;
}

bool reloadedKey(const PartlyReloaded& table, std::string_view dotted) {
  std::string_view key = dotted.substr(table.table.size() + 1);
  return std::find(table.reloaded.begin(), table.reloaded.end(), key) != table.reloaded.end();
}

}  // namespace

std::vector<std::string> settingsNeedingRestart(const Document& running, const Document& fresh,
                                                bool spool_mode) {
  std::vector<std::string> needed;
  auto add = [&needed](std::vector<std::string> keys) {
    needed.insert(needed.end(), keys.begin(), keys.end());
  };
  for (std::string_view table : kStartOnlyTables) add(running.changedKeys(fresh, table));
  for (const PartlyReloaded& table : partlyReloadedTables()) {
    for (std::string& key : running.changedKeys(fresh, table.table)) {
      if (!reloadedKey(table, key)) needed.push_back(std::move(key));
    }
  }
  // The mode picks the parts built at start; in spool mode the queue runner holds the rest.
  for (std::string& key : running.changedKeys(fresh, "relay")) {
    if (spool_mode || key == "relay.mode") needed.push_back(std::move(key));
  }
  std::sort(needed.begin(), needed.end());
  return needed;
}

}  // namespace portcullis::config
