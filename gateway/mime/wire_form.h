// A message read from a file (a saved message, an mbox entry, a quarantined copy) in the form the
// SMTP front end hands messages to the checks: without an mbox "From " line, with CRLF line ends.
// `scan`, `learn` and the classifier's other learners read files through it, so a message is
// tokenized and scanned the same whichever way it came in.
#pragma once

#include <string>
#include <string_view>

namespace portcullis::mime {

std::string inWireForm(std::string_view file_text);

}  // namespace portcullis::mime
