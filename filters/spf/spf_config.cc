#include "filters/spf/spf_config.h"

#include "filters/spf/spf_check.h"
#include "gateway/config/section.h"

namespace portcullis::spf {

namespace {
constexpr SpfResult kResults[] = {SpfResult::None,     SpfResult::Neutral,  SpfResult::Pass,
                                  SpfResult::Fail,     SpfResult::SoftFail, SpfResult::TempError,
                                  SpfResult::PermError};
}

config::SymbolScores defaultScores() {
  return config::SymbolScores({
      {"SPF_NONE", 0.1},
      {"SPF_NEUTRAL", 0.5},
      {"SPF_PASS", -0.1},
      {"SPF_FAIL", 3.0},
      {"SPF_SOFTFAIL", 1.0},
      {"SPF_TEMPERROR", 0.0},
      {"SPF_PERMERROR", 0.5},
  });
}

SpfSettings readSpfSettings(config::Section& section) {
  SpfSettings s;
  for (SpfResult result : kResults) {
    s.scores.readKey(section, "score_" + std::string(toString(result)), symbolName(result),
                     {-100, 100});
  }
  s.reject_on_fail = section.getBool("reject_on_fail", s.reject_on_fail);
  s.tempfail_on_temperror = section.getBool("tempfail_on_temperror", s.tempfail_on_temperror);
  s.skip_authenticated = section.getBool("skip_authenticated", s.skip_authenticated);
  s.receiver = section.getString("receiver", s.receiver);
  s.limits.dns_terms =
      static_cast<int>(section.getInt("max_dns_lookups", s.limits.dns_terms, 1, 100));
  s.limits.void_lookups =
      static_cast<int>(section.getInt("max_void_lookups", s.limits.void_lookups, 0, 100));
  s.fail_mode = *parseFailMode(section.getChoice("fail_mode", "neutral", {"neutral", "tempfail"}));
  section.finish();
  return s;
}

CheckFactory spfCheckFactory() {
  return {"spf", [](config::Section& section, const CheckDeps& deps) {
            SpfSettings settings = readSpfSettings(section);
            std::vector<std::shared_ptr<const Check>> checks;
            if (deps.resolver)
              checks.push_back(std::make_shared<SpfCheck>(settings, *deps.resolver));
            return checks;
          }};
}

}  // namespace portcullis::spf
