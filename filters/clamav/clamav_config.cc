#include "filters/clamav/clamav_config.h"

#include "filters/clamav/clamav_check.h"
#include "gateway/config/section.h"

namespace portcullis::clamav {
namespace {

using std::chrono::milliseconds;

const std::vector<std::string> kActions = {"accept",   "tag",    "quarantine",
                                           "tempfail", "reject", "discard"};

Reaction readReaction(config::Section& s, const std::string& action_key,
                      const std::string& score_key, const Reaction& fallback) {
  Reaction r;
  r.action =
      *parseAction(s.getChoice(action_key, std::string(toString(fallback.action)), kActions));
  r.score = s.getDouble(score_key, fallback.score, -1000.0, 1000.0);
  return r;
}

}  // namespace

std::vector<std::filesystem::path> defaultSignatureDirs() {
  return {PORTCULLIS_SIGNATURES_DIR, "/var/lib/clamav"};
}

ClamavSettings ClamavSettings::read(config::Section& s) {
  ClamavSettings out;
  std::vector<std::string> fallback_dirs;
  for (const auto& d : defaultSignatureDirs()) fallback_dirs.push_back(d.string());
  std::filesystem::path config_dir = std::filesystem::path(s.file()).parent_path();
  for (const auto& dir : s.getStrings("signature_dirs", fallback_dirs)) {
    if (dir.empty()) s.fail("signature_dirs", "a signature directory must not be empty");
    std::filesystem::path p(dir);
    out.engine.signature_dirs.push_back(p.is_relative() ? config_dir / p : p);
  }

  ScanLimits& limits = out.engine.limits;
  constexpr uint64_t kMaxBytes = (4ull << 30) - 1;  // libclamav counts sizes in 32 bits
  limits.max_scan_size = s.getSize("max_scan_size", limits.max_scan_size, 1 << 10, kMaxBytes);
  limits.max_file_size = s.getSize("max_file_size", limits.max_file_size, 1 << 10, kMaxBytes);
  limits.max_files = s.getInt("max_files", limits.max_files, 1, 1'000'000);
  limits.max_recursion = s.getInt("max_recursion", limits.max_recursion, 1, 100);
  limits.max_scan_time = s.getDuration("max_scan_time", limits.max_scan_time, milliseconds(100),
                                       std::chrono::hours(1));
  out.engine.alert_exceeds_limits = s.getBool("alert_exceeds_limits", true);
  out.engine.alert_encrypted = s.getBool("alert_encrypted", true);
  out.engine.temp_dir = s.getString("temp_dir", "");

  out.reload_check_period = s.getDuration("reload_check_period", out.reload_check_period,
                                          milliseconds(0), std::chrono::hours(24));
  out.fail_mode = *parseFailMode(s.getChoice("fail_mode", "tempfail", {"tempfail", "neutral"}));
  out.on_signature = readReaction(s, "action", "score", out.on_signature);
  out.on_limit_exceeded = readReaction(s, "limit_action", "limit_score", out.on_limit_exceeded);
  out.on_encrypted = readReaction(s, "encrypted_action", "encrypted_score", out.on_encrypted);
  return out;
}

CheckFactory clamavCheckFactory(EngineManagerObserver on_engines) {
  return CheckFactory{
      "clamav",
      [on_engines = std::move(on_engines)](config::Section& section, const CheckDeps& deps)
          -> std::vector<std::shared_ptr<const Check>> {
        ClamavSettings settings = ClamavSettings::read(section);
        section.finish();
        auto engines = std::make_shared<EngineManager>(
            settings.engine, settings.reload_check_period, deps.events.loaded);
        if (on_engines) on_engines(engines);
        return {std::make_shared<ClamavCheck>(std::move(engines), std::move(settings), deps.workers,
                                              deps.events.virus_scanned)};
      }};
}

}  // namespace portcullis::clamav
