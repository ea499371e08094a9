// The date of mail header fields (Date, Received, DSN fields): RFC 5322 section 3.3, in UTC,
// the same in every locale.
#pragma once

#include <chrono>
#include <string>

namespace portcullis {

// "Fri, 27 Nov 2026 17:41:48 +0000".
std::string rfc5322Date(std::chrono::system_clock::time_point when);

}  // namespace portcullis
