// Process-wide libclamav set-up: cl_init runs exactly once per process, and libclamav's messages
// go to spdlog. Also lets a caller collect the errors libclamav reports while it loads signatures,
// so a failed load can say which file and line were wrong.
#pragma once

#include <string>
#include <vector>

namespace portcullis::clamav {

// Runs cl_init once (thread-safe); throws std::runtime_error when libclamav cannot start.
void ensureLibraryInitialized();

// While alive, libclamav error and warning messages raised on this thread are also appended to
// `sink` (used around cl_load to explain a failed load).
class LibraryMessageCapture {
 public:
  explicit LibraryMessageCapture(std::vector<std::string>& sink);
  ~LibraryMessageCapture();
  LibraryMessageCapture(const LibraryMessageCapture&) = delete;
  LibraryMessageCapture& operator=(const LibraryMessageCapture&) = delete;

 private:
  std::vector<std::string>* previous_;
};

}  // namespace portcullis::clamav
