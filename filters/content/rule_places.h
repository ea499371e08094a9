// Where rule files are found when the configuration does not name them: the project's shipped
// rules, and SpamAssassin's stock rules looked for as SpamAssassin looks for them (the copy
// sa-update installed before the packaged one). Reads the file system only; never fails.
#pragma once

#include <filesystem>
#include <optional>

namespace portcullis::content {

// The shipped rules: share/portcullis/rules beside the running binary's prefix
// (/usr/sbin/portcullis
// -> /usr/share/portcullis/rules, as the package installs them), else the source tree's rules/
// (a development build run from its build directory).
std::filesystem::path shippedRulesDir();

struct StockRulePlaces {
  // sa-update's root: one directory per SpamAssassin version ("4.000001") holding the update.
  std::filesystem::path update_root = "/var/lib/spamassassin";
  // The rules the spamassassin package ships.
  std::filesystem::path packaged = "/usr/share/spamassassin";
};

// The newest version directory under update_root that holds a *.cf file, else `packaged` when it
// holds one; nullopt when SpamAssassin's rules are not installed.
std::optional<std::filesystem::path> findStockRules(const StockRulePlaces& places = {});

}  // namespace portcullis::content
