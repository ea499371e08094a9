#include "filters/dkim/dkim_config.h"

#include "filters/dkim/dkim_check.h"
#include "gateway/base/text.h"
#include "gateway/config/section.h"

namespace portcullis::dkim {

config::SymbolScores defaultScores() {
  return config::SymbolScores({
      {"DKIM_SIGNED", 0.1},
      {"DKIM_VALID", -0.1},
      {"DKIM_VALID_AU", -0.1},
      {"DKIM_INVALID", 0.1},
      {"DKIM_WEAK_SHA1", 0.5},
      {"DKIM_POLICY", 0.5},
      {"DKIM_TEMPERROR", 0.0},
      {"DKIM_PERMERROR", 0.0},
      {"DKIM_TOO_MANY_SIGNATURES", 0.5},
  });
}

DkimOptions parseDkimOptions(config::Section& section) {
  DkimOptions options;
  options.verify.min_rsa_bits = static_cast<int>(section.getInt("min_rsa_bits", 1024, 512, 16384));
  options.verify.clock_skew = std::chrono::duration_cast<std::chrono::seconds>(section.getDuration(
      "clock_skew", std::chrono::minutes(5), std::chrono::seconds(0), std::chrono::hours(24 * 7)));
  options.max_signatures = static_cast<size_t>(section.getInt("max_signatures", 8, 1, 64));
  options.key_cache_size =
      static_cast<size_t>(section.getInt("key_cache_size", 1000, 0, 1'000'000));
  options.verify.single_instance_headers.clear();
  for (const auto& name : section.getStrings("single_instance_headers", {"from"})) {
    options.verify.single_instance_headers.push_back(toLower(name));
  }
  options.scores.readTable(section, "scores");
  return options;
}

CheckFactory dkimCheckFactory() {
  return {"dkim", [](config::Section& section, const CheckDeps& deps) {
            std::vector<std::shared_ptr<const Check>> checks;
            bool enabled = section.getBool("enabled", true);
            DkimOptions options = parseDkimOptions(section);
            section.finish();
            if (enabled) {
              checks.push_back(
                  std::make_shared<DkimCheck>(std::move(options), deps.workers, deps.resolver));
            }
            return checks;
          }};
}

}  // namespace portcullis::dkim
