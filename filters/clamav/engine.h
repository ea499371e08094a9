// One loaded and compiled libclamav engine. It is immutable after load() and safe to share between
// threads that scan at the same time (libclamav's contract for a compiled engine). Scans read the
// raw message from memory with ClamAV's mail, archive and document parsers, under the configured
// limits, with the heuristics that report exceeded limits and encrypted archives.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct cl_engine;

namespace portcullis::clamav {

// Work bounds for one scan; an exceeded bound stops that part of the scan and (with
// alert_exceeds_limits) yields a Heuristics.Limits.Exceeded.* detection.
struct ScanLimits {
  uint64_t max_scan_size = 100ull << 20;  // bytes read from the message and everything unpacked
  uint64_t max_file_size = 25ull << 20;   // largest single (unpacked) file scanned
  uint64_t max_files = 10000;             // files unpacked from containers
  // Container nesting depth. ClamAV's default for files is 17; the message itself and each
  // forwarded message/rfc822 inside it take a level more, so a mail gateway allows a few more.
  uint64_t max_recursion = 20;
  std::chrono::milliseconds max_scan_time{30000};
};

struct EngineOptions {
  std::vector<std::filesystem::path> signature_dirs;  // missing or empty ones are skipped
  ScanLimits limits;
  bool alert_exceeds_limits = true;  // CL_SCAN_HEURISTIC_EXCEEDS_MAX
  bool alert_encrypted = true;       // CL_SCAN_HEURISTIC_ENCRYPTED_ARCHIVE / _DOC
  std::filesystem::path temp_dir;    // where libclamav unpacks; empty means its default
};

struct ScanResult {
  enum class Kind { Clean, Detected, Error };
  Kind kind = Kind::Clean;
  std::string signature;  // Detected: the signature name as libclamav reports it
  std::string error;      // Error: what went wrong
};

class Engine;

struct LoadResult {
  std::shared_ptr<const Engine> engine;  // null when loading failed
  std::string error;                     // why loading failed
};

class Engine {
 public:
  // Loads every signature database in the directories of `options` and compiles the engine.
  // Fails (with the reason) when no directory holds a database, or a database is bad.
  static LoadResult load(const EngineOptions& options);

  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  ScanResult scan(std::string_view data) const;

  unsigned signatureCount() const { return signatures_; }
  const std::vector<std::filesystem::path>& loadedDirs() const { return loaded_dirs_; }

 private:
  Engine(cl_engine* engine, unsigned signatures, std::vector<std::filesystem::path> dirs,
         const EngineOptions& options);

  cl_engine* engine_;
  unsigned signatures_;
  std::vector<std::filesystem::path> loaded_dirs_;
  bool alert_exceeds_limits_;
  bool alert_encrypted_;
};

}  // namespace portcullis::clamav
