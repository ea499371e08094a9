#include "filters/content/database_cache.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

namespace portcullis::content {
namespace {

constexpr std::string_view kMagic = "PORTCULLIS-HSCACHE-2\n";

std::filesystem::path entryPath(const std::filesystem::path& dir, const std::string& key) {
  return dir / (key + ".hsdb");
}

}  // namespace

std::string sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static const char* const kHex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::optional<CacheEntry> readCacheEntry(const std::filesystem::path& dir, const std::string& key) {
  if (dir.empty()) return std::nullopt;
  std::ifstream in(entryPath(dir, key), std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string data = buffer.str();
  if (data.size() < kMagic.size() || data.compare(0, kMagic.size(), kMagic) != 0)
    return std::nullopt;
  size_t pos = kMagic.size();
  auto readU32 = [&](uint32_t& v) {
    if (data.size() - pos < 4) return false;
    std::memcpy(&v, data.data() + pos, 4);
    pos += 4;
    return true;
  };
  uint32_t modes = 0, count = 0;
  if (!readU32(modes) || data.size() - pos < modes) return std::nullopt;
  CacheEntry entry;
  entry.modes.assign(data.begin() + pos, data.begin() + pos + modes);
  pos += modes;
  if (!readU32(count)) return std::nullopt;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t size = 0;
    if (!readU32(size) || data.size() - pos < size) return std::nullopt;
    entry.databases.push_back(data.substr(pos, size));
    pos += size;
  }
  if (pos != data.size()) return std::nullopt;
  return entry;
}

void writeCacheEntry(const std::filesystem::path& dir, const std::string& key,
                     const CacheEntry& entry) {
  if (dir.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const auto final_path = entryPath(dir, key);
  const auto temp_path = final_path.string() + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temp_path, std::ios::binary | std::ios::trunc);
    if (!out) return;
    auto writeU32 = [&out](uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); };
    out.write(kMagic.data(), kMagic.size());
    writeU32(static_cast<uint32_t>(entry.modes.size()));
    out.write(reinterpret_cast<const char*>(entry.modes.data()), entry.modes.size());
    writeU32(static_cast<uint32_t>(entry.databases.size()));
    for (const auto& db : entry.databases) {
      writeU32(static_cast<uint32_t>(db.size()));
      out.write(db.data(), db.size());
    }
    if (!out) {
      std::filesystem::remove(temp_path, ec);
      return;
    }
  }
  std::filesystem::rename(temp_path, final_path, ec);
  if (ec) std::filesystem::remove(temp_path, ec);
}

}  // namespace portcullis::content
