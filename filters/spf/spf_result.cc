#include "filters/spf/spf_result.h"

namespace portcullis::spf {

namespace {
constexpr SpfResult kAll[] = {SpfResult::None,     SpfResult::Neutral,  SpfResult::Pass,
                              SpfResult::Fail,     SpfResult::SoftFail, SpfResult::TempError,
                              SpfResult::PermError};
}

std::string_view toString(SpfResult result) {
  switch (result) {
    case SpfResult::None:
      return "none";
    case SpfResult::Neutral:
      return "neutral";
    case SpfResult::Pass:
      return "pass";
    case SpfResult::Fail:
      return "fail";
    case SpfResult::SoftFail:
      return "softfail";
    case SpfResult::TempError:
      return "temperror";
    case SpfResult::PermError:
      return "permerror";
  }
  return "none";
}

std::optional<SpfResult> parseSpfResult(std::string_view text) {
  for (SpfResult r : kAll) {
    if (toString(r) == text) return r;
  }
  return std::nullopt;
}

}  // namespace portcullis::spf
