#include "filters/clamav/clamav_check.h"

#include <fmt/format.h>

#include <chrono>

#include "filters/clamav/detection.h"
#include "gateway/core/offload.h"

namespace portcullis::clamav {
namespace {

// The reply a forced action carries; empty codes leave the policy's default reply.
ForcedAction forcedAction(Action action, std::string reason, std::string text) {
  ForcedAction f{action, std::move(reason), {}, {}, {}};
  if (action == Action::Reject) {
    f.smtp_code = "554";
    f.enhanced = "5.7.0";
    f.reply_text = std::move(text);
  } else if (action == Action::TempFail) {
    f.smtp_code = "451";
    f.enhanced = "4.7.0";
    f.reply_text = std::move(text);
  }
  return f;
}

VirusScanOutcome outcomeOf(const ScanResult& result) {
  switch (result.kind) {
    case ScanResult::Kind::Clean:
      return VirusScanOutcome::Clean;
    case ScanResult::Kind::Detected:
      return VirusScanOutcome::Infected;
    case ScanResult::Kind::Error:
      break;
  }
  return VirusScanOutcome::Error;
}

}  // namespace

ClamavCheck::ClamavCheck(
    std::shared_ptr<EngineManager> engines, ClamavSettings settings, asio::thread_pool& workers,
    std::function<void(VirusScanOutcome, std::chrono::duration<double>)> on_scan)
    : engines_(std::move(engines)),
      settings_(std::move(settings)),
      workers_(workers),
      on_scan_(std::move(on_scan)) {}

awaitable<void> ClamavCheck::run(const Transaction& tx, Report& report) const {
  std::shared_ptr<const Engine> engine = engines_->current();
  if (!engine) {
    throw ScannerUnavailable("no ClamAV engine loaded: " + engines_->stats().last_error);
  }
  // The lambda captures only trivially copyable values (g++ 12 destroys non-trivial captures of a
  // temporary passed to a coroutine twice); `engine` in this frame keeps the engine alive.
  const Engine* scanner = engine.get();
  std::string_view message = tx.message;
  auto scan = [scanner, message] { return scanner->scan(message); };
  const auto started = std::chrono::steady_clock::now();
  ScanResult result = co_await offload(workers_, std::move(scan));
  if (on_scan_) on_scan_(outcomeOf(result), std::chrono::steady_clock::now() - started);
  if (result.kind == ScanResult::Kind::Error) {
    throw std::runtime_error("ClamAV scan failed: " + result.error);
  }
  if (result.kind == ScanResult::Kind::Detected) record(result.signature, report);
}

void ClamavCheck::record(const std::string& signature, Report& report) const {
  Detection d = classifyDetection(signature);
  const Reaction* reaction = &settings_.on_signature;
  std::string reason = "virus " + signature;
  std::string text = "Message rejected: virus found: " + signature;
  if (d.kind == Detection::Kind::LimitExceeded) {
    reaction = &settings_.on_limit_exceeded;
    reason = "scan limit exceeded: " + signature;
    text = "Message rejected: content exceeds the scanning limits (" + signature + ")";
  } else if (d.kind == Detection::Kind::Encrypted) {
    reaction = &settings_.on_encrypted;
    reason = "encrypted content: " + signature;
    text = "Message rejected: encrypted content cannot be scanned (" + signature + ")";
  }
  if (reaction->action == Action::TempFail) text = "Message deferred: " + reason;
  report.addSymbol({d.symbol, reaction->score, signature});
  if (reaction->action != Action::Accept) {
    report.force(forcedAction(reaction->action, std::move(reason), std::move(text)));
  }
}

}  // namespace portcullis::clamav
