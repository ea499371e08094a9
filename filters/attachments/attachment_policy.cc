#include "filters/attachments/attachment_policy.h"

#include "filters/attachments/file_name.h"
#include "filters/attachments/zip_directory.h"
#include "gateway/base/text.h"

namespace portcullis::attachments {
namespace {

struct NameSymbols {
  std::string_view blocked;
  std::string_view scored;
  std::string_view double_extension;
};

constexpr NameSymbols kAttachmentName{kBlockedExtension, kScoredExtension, kDoubleExtension};
constexpr NameSymbols kArchiveEntryName{kArchiveBlockedExtension, kArchiveScoredExtension,
                                        kArchiveDoubleExtension};

std::string display(std::string_view name) {
  return name.empty() ? std::string("(unnamed)") : std::string(name);
}

void checkName(const FileName& name, const std::string& label, const AttachmentPolicy& policy,
               const NameSymbols& symbols, std::vector<Finding>& out) {
  if (name.extension.empty()) return;
  bool blocked = policy.blocked_extensions.count(name.extension) > 0;
  bool scored = !blocked && policy.scored_extensions.count(name.extension) > 0;
  if (blocked) out.push_back({symbols.blocked, policy.blocked_score, label, true});
  if (scored) out.push_back({symbols.scored, policy.extension_score, label, false});
  if ((blocked || scored) && !name.inner_extension.empty()) {
    out.push_back({symbols.double_extension, policy.double_extension_score, label, false});
  }
}

void checkArchive(std::string_view content, const std::string& label,
                  const AttachmentPolicy& policy, std::vector<Finding>& out) {
  ZipDirectory dir = readZipDirectory(content, policy.max_archive_entries);
  if (!dir.readable) {
    out.push_back({kArchiveUnreadable, policy.unreadable_archive_score, label, false});
    return;
  }
  for (const ZipEntry& entry : dir.entries) {
    FileName name = analyzeFileName(entry.name);
    checkName(name, label + ": " + entry.name, policy, kArchiveEntryName, out);
  }
}

}  // namespace

std::vector<Finding> evaluate(const AttachmentFacts& attachment, const AttachmentPolicy& policy) {
  std::vector<Finding> out;
  const std::string label = display(attachment.filename);
  FileName name = analyzeFileName(attachment.filename);
  checkName(name, label, policy, kAttachmentName, out);
  if (name.has_bidi_control) out.push_back({kBidiName, policy.bidi_name_score, label, false});

  std::string declared = toLower(trim(attachment.declared_type));
  if (policy.blocked_mime_types.count(declared)) {
    out.push_back({kBlockedMimeType, policy.blocked_score, label + " (" + declared + ")", true});
  } else if (policy.scored_mime_types.count(declared)) {
    out.push_back({kScoredMimeType, policy.mime_type_score, label + " (" + declared + ")", false});
  }

  FileType detected = detectFileType(attachment.content);
  if (policy.blocked_content_types.count(detected)) {
    out.push_back({kBlockedContent, policy.blocked_score,
                   label + " (" + std::string(toString(detected)) + " content)", true});
  }
  bool type_disagrees = contradicts(detected, typesClaimedByMimeType(declared));
  bool name_disagrees = contradicts(detected, typesClaimedByExtension(name.extension));
  if (type_disagrees || name_disagrees) {
    std::string why = label + " (" + std::string(toString(detected)) + " content, declared " +
                      (declared.empty() ? std::string("nothing") : declared) + ")";
    out.push_back({kTypeMismatch, policy.type_mismatch_score, why, false});
  }
  if (policy.inspect_archives && detected == FileType::Zip) {
    checkArchive(attachment.content, label, policy, out);
  }
  return out;
}

AttachmentPolicy AttachmentPolicy::defaults() {
  AttachmentPolicy p;
  // Programs and scripts Windows runs on a double click (after Microsoft's Outlook list).
  p.blocked_extensions = {
      "ade", "adp",     "app", "appx",   "appxbundle", "bas", "bat",  "chm",  "cmd",        "com",
      "cpl", "diagcab", "exe", "gadget", "hlp",        "hta", "inf",  "ins",  "isp",        "jnlp",
      "js",  "jse",     "lnk", "mde",    "msc",        "msh", "msi",  "msix", "msixbundle", "msp",
      "mst", "msu",     "pif", "ps1",    "ps1xml",     "ps2", "psc1", "psc2", "reg",        "scf",
      "scr", "sct",     "shb", "shs",    "url",        "vb",  "vbe",  "vbs",  "vhd",        "vhdx",
      "ws",  "wsc",     "wsf", "wsh",    "xbap",       "xll", "xnk"};
  // Often abused, yet sometimes legitimate: macro documents, disk images, OneNote, Java.
  p.scored_extensions = {"docm", "dotm", "xlsm", "xltm", "xlam", "pptm", "potm",
                         "ppsm", "sldm", "iso",  "img",  "one",  "jar",  "svg"};
  p.blocked_mime_types = {
      "application/x-msdownload",   "application/x-msdos-program",
      "application/x-dosexec",      "application/vnd.microsoft.portable-executable",
      "application/x-ms-shortcut",  "application/hta",
      "application/x-ms-installer", "application/x-msi"};
  p.scored_mime_types = {"application/javascript",    "application/x-javascript",
                         "text/javascript",           "application/x-sh",
                         "application/x-shellscript", "application/x-iso9660-image",
                         "application/java-archive"};
  p.blocked_content_types = {FileType::Pe, FileType::Elf, FileType::MachO};
  return p;
}

}  // namespace portcullis::attachments
