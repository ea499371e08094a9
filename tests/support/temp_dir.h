// A fresh directory under $TMPDIR (or /tmp) that is removed with everything in it when the object
// goes away, unless PORTCULLIS_KEEP_TEST_DIRS is set (then its path is printed for inspection).
#pragma once

#include <filesystem>
#include <string>

namespace portcullis::test {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "portcullis-test");
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Writes `content` to `path` (replacing it); throws on failure.
void writeFile(const std::filesystem::path& path, const std::string& content);
// The whole file, or an empty string when it cannot be read.
std::string readFile(const std::filesystem::path& path);

}  // namespace portcullis::test
