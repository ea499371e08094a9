// The language template of a digest, a plain text file in deploy/digest/ (<language>.txt):
//
//   # comment lines start with '#' and are dropped
//   Subject: {count} new messages held for {recipient}
//   <an empty line>
//   body text with {placeholders}
//   {each}
//   one copy of these lines per listed message: {sender} {subject} {date} {score}
//   {end}
//   a line that holds {more} is left out when every message is listed
//
// Placeholders of the whole digest: {recipient} {count} (new messages) {listed} {more} (new
// messages not listed) {link} (the signed console link) {expires} (when the link expires).
// load() refuses a template without a Subject line, without {link}, with an unknown placeholder
// (a '{' that is not one is literal text) or a misplaced {each}/{end}, naming file:line.
// Substituted values are inserted as they are, never read again as placeholders: the caller
// makes them safe (digest_text.h).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace portcullis::digest {

using Values = std::map<std::string, std::string>;

struct RenderedDigest {
  std::string subject;  // one line, UTF-8
  std::string body;     // CRLF line ends
};

class DigestTemplate {
 public:
  // Throws config::ConfigError naming the file and line.
  static DigestTemplate load(const std::filesystem::path& file);
  static DigestTemplate parse(const std::string& text, const std::string& file_for_errors);

  // `digest` holds the digest's values, `items` one set of item values per listed message.
  RenderedDigest render(const Values& digest, const std::vector<Values>& items) const;

 private:
  std::string subject_;
  std::vector<std::string> before_;  // body lines before {each}
  std::vector<std::string> item_;    // the lines between {each} and {end}
  std::vector<std::string> after_;   // after {end}
};

}  // namespace portcullis::digest
