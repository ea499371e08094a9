// SpamAssassin's ok_locales (Mail::SpamAssassin::Locales): the languages the site's readers read,
// and whether a charset is one of theirs. Read by the faraway-charset tests of the header, MIME
// and HTML families.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace portcullis::content {

class EvalBuildContext;

struct OkLocales {
  bool all = true;  // unset, or naming "all": every charset is fine
  std::vector<std::string> names;
};

// The last ok_locales setting of the rule files.
OkLocales okLocales(const EvalBuildContext& context);

// Locales::is_charset_ok_for_locales: the universal charsets (ASCII, ISO-8859-*, UTF-*,
// Windows-125x, ...) always, the others when one of the locales reads them.
bool charsetOkForLocales(std::string_view charset, const OkLocales& locales);

}  // namespace portcullis::content
