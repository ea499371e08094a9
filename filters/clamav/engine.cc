#include "filters/clamav/engine.h"

#include <clamav.h>
#include <fmt/format.h>

#include <set>
#include <system_error>

#include "filters/clamav/clamav_library.h"

namespace portcullis::clamav {
namespace {

struct EngineDeleter {
  void operator()(cl_engine* e) const { cl_engine_free(e); }
};
using EnginePtr = std::unique_ptr<cl_engine, EngineDeleter>;

struct FmapCloser {
  void operator()(cl_fmap_t* m) const { cl_fmap_close(m); }
};

std::string joinMessages(const std::vector<std::string>& messages) {
  std::string out;
  for (const auto& m : messages) {
    if (!out.empty()) out += "; ";
    out += m;
  }
  return out;
}

std::string failure(std::string what, const std::vector<std::string>& messages) {
  if (messages.empty()) return what;
  return what + " (" + joinMessages(messages) + ")";
}

// Whether `dir` holds at least one file libclamav loads as a database (libclamav's CLI_DBEXT
// list). cl_load fails on a directory without any, such as /var/lib/clamav before freshclam ran:
// such a directory is skipped like a missing one.
bool holdsDatabases(const std::filesystem::path& dir) {
  static const std::set<std::string> kExtensions = {
      ".cvd", ".cld", ".cud",  ".db",  ".hdb", ".hdu", ".hsb",  ".hsu", ".mdb", ".mdu",
      ".msb", ".msu", ".ndb",  ".ndu", ".ldb", ".ldu", ".sdb",  ".zmd", ".rmd", ".idb",
      ".fp",  ".sfp", ".gdb",  ".pdb", ".wdb", ".cbc", ".ftm",  ".cfg", ".cdb", ".cat",
      ".crb", ".ign", ".ign2", ".imp", ".ioc", ".yar", ".yara", ".pwdb"};
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code entry_ec;
    if (it->is_regular_file(entry_ec) && kExtensions.count(it->path().extension().string())) {
      return true;
    }
  }
  return false;
}

std::string setLimits(cl_engine* engine, const ScanLimits& limits) {
  struct Setting {
    cl_engine_field field;
    long long value;
    const char* name;
  };
  const Setting settings[] = {
      {CL_ENGINE_MAX_SCANSIZE, static_cast<long long>(limits.max_scan_size), "max_scan_size"},
      {CL_ENGINE_MAX_FILESIZE, static_cast<long long>(limits.max_file_size), "max_file_size"},
      {CL_ENGINE_MAX_FILES, static_cast<long long>(limits.max_files), "max_files"},
      {CL_ENGINE_MAX_RECURSION, static_cast<long long>(limits.max_recursion), "max_recursion"},
      {CL_ENGINE_MAX_SCANTIME, static_cast<long long>(limits.max_scan_time.count()),
       "max_scan_time"},
  };
  for (const auto& s : settings) {
    cl_error_t rc = cl_engine_set_num(engine, s.field, s.value);
    if (rc != CL_SUCCESS) return fmt::format("cannot set {}: {}", s.name, cl_strerror(rc));
  }
  return {};
}

}  // namespace

LoadResult Engine::load(const EngineOptions& options) {
  ensureLibraryInitialized();
  std::vector<std::string> messages;
  LibraryMessageCapture capture(messages);

  EnginePtr engine(cl_engine_new());
  if (!engine) return {nullptr, "cl_engine_new failed (out of memory)"};
  if (std::string error = setLimits(engine.get(), options.limits); !error.empty()) {
    return {nullptr, error};
  }
  if (!options.temp_dir.empty()) {
    cl_error_t rc = cl_engine_set_str(engine.get(), CL_ENGINE_TMPDIR, options.temp_dir.c_str());
    if (rc != CL_SUCCESS) return {nullptr, fmt::format("cannot set temp_dir: {}", cl_strerror(rc))};
  }

  unsigned signatures = 0;
  std::vector<std::filesystem::path> loaded;
  for (const auto& dir : options.signature_dirs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec) || !holdsDatabases(dir)) continue;
    cl_error_t rc = cl_load(dir.c_str(), engine.get(), &signatures, CL_DB_STDOPT);
    if (rc != CL_SUCCESS) {
      return {nullptr, failure(fmt::format("cannot load signatures from {}: {}", dir.string(),
                                           cl_strerror(rc)),
                               messages)};
    }
    loaded.push_back(dir);
  }
  if (loaded.empty()) {
    std::string dirs;
    for (const auto& dir : options.signature_dirs)
      dirs += (dirs.empty() ? "" : ", ") + dir.string();
    return {nullptr, "no signature databases in " + dirs};
  }
  if (signatures == 0) return {nullptr, "the signature directories hold no signatures"};

  cl_error_t rc = cl_engine_compile(engine.get());
  if (rc != CL_SUCCESS) {
    return {nullptr,
            failure(fmt::format("cannot compile the engine: {}", cl_strerror(rc)), messages)};
  }
  return {std::shared_ptr<const Engine>(
              new Engine(engine.release(), signatures, std::move(loaded), options)),
          {}};
}

Engine::Engine(cl_engine* engine, unsigned signatures, std::vector<std::filesystem::path> dirs,
               const EngineOptions& options)
    : engine_(engine),
      signatures_(signatures),
      loaded_dirs_(std::move(dirs)),
      alert_exceeds_limits_(options.alert_exceeds_limits),
      alert_encrypted_(options.alert_encrypted) {}

Engine::~Engine() {
  cl_engine_free(engine_);
}

ScanResult Engine::scan(std::string_view data) const {
  std::unique_ptr<cl_fmap_t, FmapCloser> map(cl_fmap_open_memory(data.data(), data.size()));
  if (!map) return {ScanResult::Kind::Error, {}, "cannot map the message for scanning"};

  cl_scan_options options{};
  options.general = CL_SCAN_GENERAL_HEURISTICS;
  options.parse = ~0u;
  if (alert_exceeds_limits_) options.heuristic |= CL_SCAN_HEURISTIC_EXCEEDS_MAX;
  if (alert_encrypted_) {
    options.heuristic |= CL_SCAN_HEURISTIC_ENCRYPTED_ARCHIVE | CL_SCAN_HEURISTIC_ENCRYPTED_DOC;
  }

  const char* virname = nullptr;
  unsigned long scanned = 0;
  cl_error_t rc =
      cl_scanmap_callback(map.get(), "message.eml", &virname, &scanned, engine_, &options, nullptr);
  switch (rc) {
    case CL_CLEAN:
      return {};
    case CL_VIRUS:
      return {ScanResult::Kind::Detected, virname ? virname : "unnamed", {}};
    default:
      return {ScanResult::Kind::Error, {}, cl_strerror(rc)};
  }
}

}  // namespace portcullis::clamav
