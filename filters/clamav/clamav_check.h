// The "clamav" check (Stage::Message): scans the raw message on the worker pool with the current
// engine, adds a symbol for what it found (CLAMAV_VIRUS naming the signature, CLAMAV_LIMIT_*,
// CLAMAV_ENCRYPTED) and forces the configured action — by default a virus is rejected with
// `554 5.7.0` naming the signature. No engine loaded or a scan error throws ScannerUnavailable /
// std::runtime_error so the pipeline applies the check's fail mode (tempfail by default).
// Each scan's outcome and duration go to the `on_scan` callback (for the gateway's metrics).
#pragma once

#include <memory>
#include <stdexcept>

#include "filters/clamav/clamav_config.h"
#include "filters/clamav/engine_manager.h"
#include "gateway/core/check.h"
#include "gateway/core/filter_events.h"

namespace portcullis::clamav {

class ScannerUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ClamavCheck : public Check {
 public:
  // `on_scan` may be empty.
  ClamavCheck(std::shared_ptr<EngineManager> engines, ClamavSettings settings,
              asio::thread_pool& workers,
              std::function<void(VirusScanOutcome, std::chrono::duration<double>)> on_scan = {});

  std::string_view name() const override { return "clamav"; }
  Stage stage() const override { return Stage::Message; }
  FailMode failMode() const override { return settings_.fail_mode; }
  awaitable<void> run(const Transaction& tx, Report& report) const override;

  const std::shared_ptr<EngineManager>& engines() const { return engines_; }

 private:
  void record(const std::string& signature, Report& report) const;

  std::shared_ptr<EngineManager> engines_;
  ClamavSettings settings_;
  asio::thread_pool& workers_;
  std::function<void(VirusScanOutcome, std::chrono::duration<double>)> on_scan_;
};

}  // namespace portcullis::clamav
