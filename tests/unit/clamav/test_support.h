// Helpers for the ClamAV tests: files, MIME wrapping, archives built in the test (stored zips,
// zips of zips, gzip of zeros), running a check's coroutine to completion, and building the
// "clamav" check from a TOML snippet through its factory.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/core/asio.h"
#include "gateway/core/check.h"

namespace portcullis::clamav::testing {

inline const std::filesystem::path kShippedSignatures = PORTCULLIS_SOURCE_DIR "/signatures";
inline const std::filesystem::path kTestFiles = "/usr/share/clamav-testfiles";
inline const std::filesystem::path kCorpus = PORTCULLIS_BINARY_DIR "/corpus";

// The EICAR anti-virus test file.
std::string eicar();

std::string readFile(const std::filesystem::path& path);
void writeFile(const std::filesystem::path& path, std::string_view data);

// An RFC 5322 message with a text part and `content` as a base64 attachment named `filename`.
std::string mimeMessageWithAttachment(std::string_view filename, std::string_view content);

// A zip archive holding `entries` (name, content) uncompressed, with correct CRCs.
std::string storedZip(const std::vector<std::pair<std::string, std::string>>& entries);
// `depth` zips, each holding the next one; the innermost holds a short text file.
std::string nestedZip(int depth);
// A gzip stream that expands to `size` zero bytes.
std::string gzipOfZeros(size_t size);
// A zip whose only entry is flagged as encrypted (traditional PKWARE encryption).
std::string encryptedZip();

// A fresh directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Runs check.run() to completion on a private io_context; rethrows what it threw.
void runCheck(const Check& check, const Transaction& tx, Report& report);

// Builds the "clamav" check through its factory from `toml` (the body of [checks.clamav]).
struct BuiltCheck {
  std::shared_ptr<asio::thread_pool> workers;
  std::shared_ptr<const Check> check;
};
BuiltCheck buildClamavCheck(const std::string& toml);

// A transaction carrying `message` as its raw message.
Transaction transactionWith(std::string message);

}  // namespace portcullis::clamav::testing
