// Helpers for the DNS list tests: settings from TOML text and running a check to completion.
#pragma once

#include <string_view>

#include "filters/dnsbl/dnsbl_config.h"
#include "gateway/config/document.h"
#include "gateway/config/section.h"
#include "gateway/core/check.h"

namespace portcullis::dnsbl::testing {

inline DnsblSettings settingsFrom(std::string_view toml) {
  auto doc = config::Document::parseString(toml, "test.toml");
  auto checks = doc.root().sub("checks");
  auto section = checks->sub("dnsbl");
  return readDnsblSettings(*section);
}

inline void runCheck(const Check& check, const Transaction& tx, Report& report) {
  asio::io_context io;
  asio::co_spawn(io, check.run(tx, report), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  io.run();
}

}  // namespace portcullis::dnsbl::testing
