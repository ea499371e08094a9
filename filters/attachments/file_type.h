// Recognises what an attachment really is from its first bytes (magic numbers: PE, ELF, Mach-O,
// zip, rar, 7z, gzip, bzip2, xz, cab, OLE2, PDF, RTF, PNG, JPEG, GIF), and which types a declared
// MIME type or a file-name extension claims, so that a disagreement can be noticed. Pure functions.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace portcullis::attachments {

enum class FileType {
  Unknown,
  Pe,
  Elf,
  MachO,
  Zip,
  Rar,
  SevenZip,
  Gzip,
  Bzip2,
  Xz,
  Cab,
  Ole2,
  Pdf,
  Rtf,
  Png,
  Jpeg,
  Gif,
};

FileType detectFileType(std::string_view content);
std::string_view toString(FileType type);                      // "pe", "zip", ...
std::optional<FileType> parseFileType(std::string_view name);  // inverse of toString
bool isImage(FileType type);

// The types a claim allows. nullopt: the claim says nothing (application/octet-stream, an unknown
// extension). An empty list: the claim is "text", which no recognised binary type matches.
std::optional<std::vector<FileType>> typesClaimedByMimeType(std::string_view mime_type);
std::optional<std::vector<FileType>> typesClaimedByExtension(std::string_view extension);

// Whether `detected` contradicts `claimed` (an image labelled as another image does not count).
bool contradicts(FileType detected, const std::optional<std::vector<FileType>>& claimed);

}  // namespace portcullis::attachments
