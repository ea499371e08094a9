// The attachment policy: which file-name extensions, declared MIME types and detected content
// types are blocked or scored, and what an attachment (and, for zip archives, each name inside)
// triggers. Pure: evaluate() looks at one attachment's name, declared type and decoded content
// and returns findings; the check turns them into symbols and a forced action.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "filters/attachments/file_type.h"

namespace portcullis::attachments {

// Symbols (one per kind and message; the detail lists the attachments).
inline constexpr std::string_view kBlockedExtension = "ATTACH_BLOCKED_EXT";
inline constexpr std::string_view kScoredExtension = "ATTACH_RISKY_EXT";
inline constexpr std::string_view kDoubleExtension = "ATTACH_DOUBLE_EXT";
inline constexpr std::string_view kBidiName = "ATTACH_BIDI_NAME";
inline constexpr std::string_view kBlockedMimeType = "ATTACH_BLOCKED_TYPE";
inline constexpr std::string_view kScoredMimeType = "ATTACH_RISKY_TYPE";
inline constexpr std::string_view kBlockedContent = "ATTACH_BLOCKED_CONTENT";
inline constexpr std::string_view kTypeMismatch = "ATTACH_TYPE_MISMATCH";
inline constexpr std::string_view kArchiveBlockedExtension = "ATTACH_ARCHIVE_BLOCKED_EXT";
inline constexpr std::string_view kArchiveScoredExtension = "ATTACH_ARCHIVE_RISKY_EXT";
inline constexpr std::string_view kArchiveDoubleExtension = "ATTACH_ARCHIVE_DOUBLE_EXT";
inline constexpr std::string_view kArchiveUnreadable = "ATTACH_ARCHIVE_UNREADABLE";

struct AttachmentPolicy {
  std::set<std::string> blocked_extensions;  // lowercase, without the dot
  std::set<std::string> scored_extensions;
  std::set<std::string> blocked_mime_types;  // lowercase "type/subtype"
  std::set<std::string> scored_mime_types;
  std::set<FileType> blocked_content_types;  // by magic bytes, whatever the name says
  double blocked_score = 10.0;               // a blocking finding's symbol (also forces the action)
  double extension_score = 3.0;              // a scored extension (also inside an archive)
  double double_extension_score = 4.0;       // "x.pdf.exe": a name hiding a risky extension
  double bidi_name_score = 5.0;              // bidirectional controls in a file name
  double mime_type_score = 3.0;              // a scored declared MIME type
  double type_mismatch_score = 3.0;          // content disagrees with the declared type or name
  double unreadable_archive_score = 1.0;     // zip content whose directory cannot be read
  bool inspect_archives = true;              // look at the names inside zip archives
  size_t max_archive_entries = 10000;        // names read per archive

  static AttachmentPolicy defaults();
};

struct AttachmentFacts {
  std::string_view filename;       // as given by the sender (UTF-8), may be empty
  std::string_view declared_type;  // Content-Type "type/subtype", may be empty
  std::string_view content;        // decoded content
};

struct Finding {
  std::string_view symbol;
  double score = 0;
  std::string detail;   // which attachment (and entry) and why
  bool blocks = false;  // demands the policy's action
};

std::vector<Finding> evaluate(const AttachmentFacts& attachment, const AttachmentPolicy& policy);

}  // namespace portcullis::attachments
