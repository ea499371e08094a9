// HTML character references (&name; &#NNN; &#xHH;) decoded to UTF-8, leniently as browsers do:
// numeric references need no ';', named ones do except the few legacy names browsers accept bare.
#pragma once

#include <string>
#include <string_view>

namespace portcullis::mime {

// Appends `s` to `out` with character references decoded.
void appendWithEntitiesDecoded(std::string_view s, std::string& out);

}  // namespace portcullis::mime
