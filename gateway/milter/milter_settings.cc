#include "gateway/milter/milter_settings.h"

namespace portcullis::milter {

using namespace std::chrono_literals;

bool validListenSpec(const std::string& spec) {
  if (spec.rfind("unix:", 0) == 0 || spec.rfind("local:", 0) == 0) {
    return spec.size() > spec.find(':') + 1;
  }
  if (spec.rfind("inet:", 0) != 0 && spec.rfind("inet6:", 0) != 0) return false;
  std::string rest = spec.substr(spec.find(':') + 1);
  std::string port = rest.substr(0, rest.find('@'));
  if (port.empty() || port.size() > 5) return false;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
  }
  return std::stoi(port) <= 65535;
}

MilterConfig readMilterConfig(config::Section& section, std::chrono::milliseconds check_timeout) {
  MilterConfig out;
  out.listen = section.getString("listen", "");
  if (!validListenSpec(out.listen)) {
    section.fail("listen",
                 "expected \"inet:PORT@ADDRESS\", \"inet6:PORT@ADDRESS\" or \"unix:PATH\"");
  }
  MilterSettings& s = out.settings;
  s.check_timeout = check_timeout;
  s.max_body_size = section.getSize("max_body_size", s.max_body_size, 1024, 1ull << 30);
  s.quarantine = section.choice<QuarantineMode>(
      "quarantine", s.quarantine,
      {{"hold", QuarantineMode::Hold}, {"store", QuarantineMode::Store}});
  s.store_timeout = section.getDuration("store_timeout", s.store_timeout, 1s, 10min);
  s.mta_timeout = std::chrono::duration_cast<std::chrono::seconds>(
      section.getDuration("mta_timeout", s.mta_timeout, 1s, 24h));
  s.wait_margin = section.getDuration("wait_margin", s.wait_margin, 100ms, 60s);
  s.stop_grace = section.getDuration("stop_grace", s.stop_grace, 0ms, 10min);
  s.backlog = static_cast<int>(section.getInt("backlog", s.backlog, 1, 65535));
  s.io_threads = static_cast<size_t>(section.getInt("io_threads", 2, 1, 64));
  section.finish();
  return out;
}

}  // namespace portcullis::milter
