#include "gateway/spool/state_file.h"

#include <unistd.h>

#include <cerrno>

#include "gateway/spool/durable_file.h"

namespace portcullis::spool {

Result<bool> readStateFile(
    const std::string& path, std::string_view magic_line,
    const std::function<bool(const std::string& key, const std::string& value)>& accept) {
  using R = Result<bool>;
  if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) return R::success(false);
  auto bytes = readWholeFile(path);
  if (!bytes) return R::failure(bytes.error);
  auto content = verifyChecksum(*bytes);
  if (!content) return R::failure(path + ": " + content.error);
  RecordReader reader(*content);
  if (auto magic = reader.expectMagic(magic_line); !magic) {
    return R::failure(path + ": " + magic.error);
  }
  std::string key, value;
  while (reader.next(key, value)) {
    if (!accept(key, value)) {
      return R::failure(path + ": " + reader.errorAt("unexpected '" + key + "' field"));
    }
  }
  if (!reader.error().empty()) return R::failure(path + ": " + reader.error());
  return R::success(true);
}

Status writeStateFile(const std::string& directory, const std::string& name,
                      std::string_view magic_line,
                      const std::function<void(RecordWriter& writer)>& write_fields) {
  RecordWriter writer(magic_line);
  write_fields(writer);
  std::string content = std::move(writer.text());
  std::string checksum = checksumLine({content});
  return replaceFileDurably(directory, name, {content, checksum});
}

}  // namespace portcullis::spool
