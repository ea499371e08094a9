// What an attachment's file name says: its extension and the one before it (to catch
// "invoice.pdf.exe"), after the tricks used to hide an extension are undone — directory parts,
// trailing dots and spaces, letter case, and Unicode bidirectional controls (which make
// "invoice\u202Efdp.exe" display as "invoiceexe.pdf"). Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace portcullis::attachments {

struct FileName {
  std::string normalized;       // base name, lowercased (ASCII), bidi controls removed, trimmed
  std::string extension;        // last extension without the dot, or empty
  std::string inner_extension;  // the extension before it ("pdf" in "a.pdf.exe"), or empty
  bool has_bidi_control = false;
};

FileName analyzeFileName(std::string_view name);

}  // namespace portcullis::attachments
