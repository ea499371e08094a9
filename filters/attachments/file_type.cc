#include "filters/attachments/file_type.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>

namespace portcullis::attachments {
namespace {

struct Magic {
  FileType type;
  size_t offset;
  std::string_view bytes;
};

using namespace std::string_view_literals;

// Checked in order; every signature is a fixed byte string at a fixed offset.
const Magic kMagics[] = {
    {FileType::Elf, 0,
     "\x7f"
     "ELF"sv},
    {FileType::MachO, 0, "\xfe\xed\xfa\xce"sv},
    {FileType::MachO, 0, "\xce\xfa\xed\xfe"sv},
    {FileType::MachO, 0, "\xfe\xed\xfa\xcf"sv},
    {FileType::MachO, 0, "\xcf\xfa\xed\xfe"sv},
    {FileType::Zip, 0, "PK\x03\x04"sv},
    {FileType::Zip, 0, "PK\x05\x06"sv},
    {FileType::Zip, 0, "PK\x07\x08"sv},
    {FileType::Rar, 0, "Rar!\x1a\x07"sv},
    {FileType::SevenZip, 0, "7z\xbc\xaf\x27\x1c"sv},
    {FileType::Gzip, 0, "\x1f\x8b"sv},
    {FileType::Bzip2, 0, "BZh"sv},
    {FileType::Xz, 0,
     "\xfd"
     "7zXZ\x00"sv},
    {FileType::Cab, 0, "MSCF\x00\x00\x00\x00"sv},
    {FileType::Ole2, 0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"sv},
    {FileType::Pdf, 0, "%PDF-"sv},
    {FileType::Rtf, 0, "{\\rtf"sv},
    {FileType::Png, 0, "\x89PNG\r\n\x1a\n"sv},
    {FileType::Jpeg, 0, "\xff\xd8\xff"sv},
    {FileType::Gif, 0, "GIF87a"sv},
    {FileType::Gif, 0, "GIF89a"sv},
};

constexpr std::array<std::string_view, 17> kNames = {
    "unknown", "pe",  "elf",  "macho", "zip", "rar", "7z",   "gzip", "bzip2",
    "xz",      "cab", "ole2", "pdf",   "rtf", "png", "jpeg", "gif"};

uint32_t readLe32(std::string_view s, size_t at) {
  return static_cast<uint8_t>(s[at]) | static_cast<uint8_t>(s[at + 1]) << 8 |
         static_cast<uint8_t>(s[at + 2]) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[at + 3])) << 24;
}

// "MZ" and, at the offset the DOS header's e_lfanew (at 0x3c) gives, "PE\0\0". Requiring both
// keeps a text that happens to start with "MZ" from counting as a program.
bool isPe(std::string_view s) {
  if (s.size() < 0x40 || s[0] != 'M' || s[1] != 'Z') return false;
  uint32_t pe_offset = readLe32(s, 0x3c);
  return pe_offset <= s.size() - 4 && s.substr(pe_offset, 4) == std::string_view("PE\0\0", 4);
}

struct Claim {
  FileType type;
  std::initializer_list<std::string_view> mime_types;  // a trailing '*' matches a prefix
  std::initializer_list<std::string_view> extensions;
};

const Claim kClaims[] = {
    {FileType::Pe,
     {"application/x-msdownload", "application/x-dosexec", "application/x-msdos-program",
      "application/vnd.microsoft.portable-executable", "application/x-ms-dos-executable"},
     {"exe", "dll", "scr", "cpl", "ocx", "sys", "drv", "efi", "com"}},
    {FileType::Elf,
     {"application/x-executable", "application/x-elf", "application/x-sharedlib"},
     {"elf", "so"}},
    {FileType::MachO, {"application/x-mach-binary"}, {"dylib"}},
    {FileType::Zip,
     {"application/zip", "application/x-zip-compressed", "application/x-zip",
      "application/java-archive", "application/vnd.openxmlformats-officedocument.*",
      "application/vnd.oasis.opendocument.*", "application/epub+zip",
      "application/vnd.ms-excel.sheet.macroenabled.12",
      "application/vnd.ms-word.document.macroenabled.12",
      "application/vnd.ms-powerpoint.presentation.macroenabled.12",
      "application/vnd.android.package-archive"},
     {"zip",  "jar",  "docx", "docm", "dotx", "dotm", "xlsx", "xlsm", "xltx", "pptx", "pptm",
      "ppsx", "potx", "odt",  "ods",  "odp",  "odg",  "epub", "apk",  "xpi",  "kmz",  "vsdx"}},
    {FileType::Rar,
     {"application/x-rar-compressed", "application/vnd.rar", "application/x-rar"},
     {"rar"}},
    {FileType::SevenZip, {"application/x-7z-compressed"}, {"7z"}},
    {FileType::Gzip, {"application/gzip", "application/x-gzip"}, {"gz", "tgz"}},
    {FileType::Bzip2, {"application/x-bzip2", "application/x-bzip"}, {"bz2", "tbz2"}},
    {FileType::Xz, {"application/x-xz"}, {"xz", "txz"}},
    {FileType::Cab, {"application/vnd.ms-cab-compressed"}, {"cab"}},
    {FileType::Ole2,
     {"application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
      "application/vnd.ms-outlook", "application/x-msi", "application/x-ole-storage",
      "application/vnd.ms-project", "application/vnd.visio", "application/x-mspublisher"},
     {"doc", "dot", "xls", "xlt", "ppt", "pps", "pot", "msg", "msi", "msp", "mpp", "vsd", "pub"}},
    // Word saves RTF under .doc and mail clients then label it application/msword.
    {FileType::Rtf, {"application/rtf", "text/rtf", "application/msword"}, {"rtf", "doc"}},
    {FileType::Pdf, {"application/pdf", "application/x-pdf"}, {"pdf"}},
    {FileType::Png, {"image/png"}, {"png"}},
    {FileType::Jpeg, {"image/jpeg", "image/jpg", "image/pjpeg"}, {"jpg", "jpeg", "jpe", "jfif"}},
    {FileType::Gif, {"image/gif"}, {"gif"}},
};

const std::string_view kTextExtensions[] = {"txt", "csv",  "log", "htm", "html",
                                            "xml", "json", "ics", "vcf", "md"};

bool mimeMatches(std::string_view pattern, std::string_view type) {
  if (pattern.ends_with('*')) return type.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == type;
}

}  // namespace

FileType detectFileType(std::string_view content) {
  if (isPe(content)) return FileType::Pe;
  for (const Magic& m : kMagics) {
    if (content.size() >= m.offset + m.bytes.size() &&
        content.substr(m.offset, m.bytes.size()) == m.bytes) {
      return m.type;
    }
  }
  return FileType::Unknown;
}

std::string_view toString(FileType type) {
  return kNames[static_cast<size_t>(type)];
}

std::optional<FileType> parseFileType(std::string_view name) {
  for (size_t i = 1; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<FileType>(i);
  }
  return std::nullopt;
}

bool isImage(FileType type) {
  return type == FileType::Png || type == FileType::Jpeg || type == FileType::Gif;
}

std::optional<std::vector<FileType>> typesClaimedByMimeType(std::string_view mime_type) {
  std::vector<FileType> types;
  for (const Claim& c : kClaims) {
    for (std::string_view pattern : c.mime_types) {
      if (mimeMatches(pattern, mime_type)) types.push_back(c.type);
    }
  }
  if (!types.empty()) return types;
  if (mime_type.starts_with("text/")) return types;  // text claims no binary type
  return std::nullopt;
}

std::optional<std::vector<FileType>> typesClaimedByExtension(std::string_view extension) {
  std::vector<FileType> types;
  for (const Claim& c : kClaims) {
    for (std::string_view ext : c.extensions) {
      if (ext == extension) types.push_back(c.type);
    }
  }
  if (!types.empty()) return types;
  if (std::find(std::begin(kTextExtensions), std::end(kTextExtensions), extension) !=
      std::end(kTextExtensions)) {
    return types;
  }
  return std::nullopt;
}

bool contradicts(FileType detected, const std::optional<std::vector<FileType>>& claimed) {
  if (detected == FileType::Unknown || !claimed) return false;
  if (std::find(claimed->begin(), claimed->end(), detected) != claimed->end()) return false;
  bool claims_only_images =
      !claimed->empty() && std::all_of(claimed->begin(), claimed->end(), isImage);
  return !(isImage(detected) && claims_only_images);
}

}  // namespace portcullis::attachments
