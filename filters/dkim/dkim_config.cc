#include "filters/dkim/dkim_config.h"

#include "gateway/config/section.h"
#include "gateway/core/text.h"

namespace portcullis::dkim {

std::map<std::string, double> parseScores(config::Section& section,
                                          const std::map<std::string, double>& known) {
  std::map<std::string, double> scores = known;
  auto table = section.sub("scores");
  if (!table) return scores;
  for (const auto& symbol : table->keys()) {
    if (!known.count(symbol)) table->fail(symbol, "unknown symbol");
    scores[symbol] = table->getDouble(symbol, 0, -1000, 1000);
  }
  table->finish();
  return scores;
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
  options.scores = parseScores(section, defaultScores());
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
