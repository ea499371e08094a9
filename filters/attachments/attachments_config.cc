#include "filters/attachments/attachments_config.h"

#include <algorithm>

#include "filters/attachments/attachments_check.h"
#include "gateway/base/text.h"
#include "gateway/config/section.h"

namespace portcullis::attachments {
namespace {

std::vector<std::string> sorted(const std::set<std::string>& s) {
  return {s.begin(), s.end()};
}

std::set<std::string> readExtensions(config::Section& s, const std::string& key,
                                     const std::set<std::string>& fallback) {
  std::set<std::string> out;
  for (const std::string& raw : s.getStrings(key, sorted(fallback))) {
    std::string ext = toLower(trim(raw));
    if (ext.starts_with('.')) ext.erase(0, 1);
    if (ext.empty() || ext.find('.') != std::string::npos) {
      s.fail(key, "'" + raw + "' is not a file-name extension");
    }
    out.insert(ext);
  }
  return out;
}

std::set<std::string> readMimeTypes(config::Section& s, const std::string& key,
                                    const std::set<std::string>& fallback) {
  std::set<std::string> out;
  for (const std::string& raw : s.getStrings(key, sorted(fallback))) {
    std::string type = toLower(trim(raw));
    size_t slash = type.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == type.size()) {
      s.fail(key, "'" + raw + "' is not a MIME type (type/subtype)");
    }
    out.insert(type);
  }
  return out;
}

std::set<FileType> readContentTypes(config::Section& s, const std::string& key,
                                    const std::set<FileType>& fallback) {
  std::vector<std::string> names;
  for (FileType t : fallback) names.emplace_back(toString(t));
  std::set<FileType> out;
  for (const std::string& name : s.getStrings(key, names)) {
    std::optional<FileType> type = parseFileType(toLower(trim(name)));
    if (!type) {
      s.fail(key, "unknown content type '" + name +
                      "' (known: pe elf macho zip rar 7z gzip bzip2 xz cab ole2 pdf rtf png jpeg "
                      "gif)");
    }
    out.insert(*type);
  }
  return out;
}

}  // namespace

AttachmentsSettings AttachmentsSettings::read(config::Section& s) {
  AttachmentsSettings out;
  AttachmentPolicy& p = out.policy;
  out.action = *parseAction(s.getChoice(
      "action", "reject", {"accept", "tag", "quarantine", "tempfail", "reject", "discard"}));
  p.blocked_extensions = readExtensions(s, "blocked_extensions", p.blocked_extensions);
  p.scored_extensions = readExtensions(s, "scored_extensions", p.scored_extensions);
  p.blocked_mime_types = readMimeTypes(s, "blocked_mime_types", p.blocked_mime_types);
  p.scored_mime_types = readMimeTypes(s, "scored_mime_types", p.scored_mime_types);
  p.blocked_content_types = readContentTypes(s, "blocked_content_types", p.blocked_content_types);
  p.blocked_score = s.getDouble("blocked_score", p.blocked_score, -100, 100);
  p.extension_score = s.getDouble("extension_score", p.extension_score, -100, 100);
  p.double_extension_score =
      s.getDouble("double_extension_score", p.double_extension_score, -100, 100);
  p.bidi_name_score = s.getDouble("bidi_name_score", p.bidi_name_score, -100, 100);
  p.mime_type_score = s.getDouble("mime_type_score", p.mime_type_score, -100, 100);
  p.type_mismatch_score = s.getDouble("type_mismatch_score", p.type_mismatch_score, -100, 100);
  p.unreadable_archive_score =
      s.getDouble("unreadable_archive_score", p.unreadable_archive_score, -100, 100);
  p.inspect_archives = s.getBool("inspect_archives", p.inspect_archives);
  p.max_archive_entries = s.getInt("max_archive_entries", p.max_archive_entries, 1, 1'000'000);
  return out;
}

CheckFactory attachmentsCheckFactory() {
  return CheckFactory{
      "attachments",
      [](config::Section& section, const CheckDeps&) -> std::vector<std::shared_ptr<const Check>> {
        AttachmentsSettings settings = AttachmentsSettings::read(section);
        section.finish();
        return {std::make_shared<AttachmentsCheck>(std::move(settings))};
      }};
}

}  // namespace portcullis::attachments
