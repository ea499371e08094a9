#include "tests/unit/attachments/zip_builder.h"

#include <zlib.h>

namespace portcullis::testing {
namespace {

void put(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

std::string buildZip(const std::vector<std::pair<std::string, std::string>>& entries,
                     const ZipOptions& options) {
  std::string out, central;
  for (const auto& [name, content] : entries) {
    uint32_t crc = crc32(0, reinterpret_cast<const Bytef*>(content.data()), content.size());
    uint64_t offset = out.size();
    put(out, 0x04034b50, 4);
    put(out, 10, 2);  // version needed
    put(out, options.flags, 2);
    put(out, 0, 2);     // stored
    put(out, 0, 2);     // time
    put(out, 0x21, 2);  // date
    put(out, crc, 4);
    put(out, content.size(), 4);
    put(out, content.size(), 4);
    put(out, name.size(), 2);
    put(out, 0, 2);
    out += name;
    out += content;

    put(central, 0x02014b50, 4);
    put(central, 20, 2);
    put(central, 10, 2);
    put(central, options.flags, 2);
    put(central, 0, 2);
    put(central, 0, 2);
    put(central, 0x21, 2);
    put(central, crc, 4);
    put(central, content.size(), 4);
    put(central, content.size(), 4);
    put(central, name.size(), 2);
    put(central, 0, 2);  // extra
    put(central, 0, 2);  // comment
    put(central, 0, 2);  // disk
    put(central, 0, 2);  // internal attributes
    put(central, 0, 4);  // external attributes
    put(central, offset, 4);
    central += name;
  }
  uint64_t central_offset = out.size();
  out += central;
  if (options.zip64) {
    uint64_t record = out.size();
    put(out, 0x06064b50, 4);
    put(out, 44, 8);  // size of the rest of the record
    put(out, 45, 2);
    put(out, 45, 2);
    put(out, 0, 4);
    put(out, 0, 4);
    put(out, entries.size(), 8);
    put(out, entries.size(), 8);
    put(out, central.size(), 8);
    put(out, central_offset, 8);
    put(out, 0x07064b50, 4);  // locator
    put(out, 0, 4);
    put(out, record, 8);
    put(out, 1, 4);
  }
  put(out, 0x06054b50, 4);
  put(out, 0, 2);
  put(out, 0, 2);
  put(out, options.zip64 ? 0xffff : entries.size(), 2);
  put(out, options.zip64 ? 0xffff : entries.size(), 2);
  put(out, options.zip64 ? 0xffffffff : central.size(), 4);
  put(out, options.zip64 ? 0xffffffff : central_offset, 4);
  put(out, 0, 2);
  return options.prefix + out;
}

}  // namespace portcullis::testing
