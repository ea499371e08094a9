// Dates as mail and operators read them, in UTC and the same in every locale: the date of mail
// header fields (Date, Received, DSN fields; RFC 5322 section 3.3) and the ISO 8601 time the
// command line prints.
#pragma once

#include <chrono>
#include <string>

namespace portcullis {

// "Fri, 27 Nov 2026 17:41:48 +0000".
std::string rfc5322Date(std::chrono::system_clock::time_point when);

// "2026-11-27T17:41:48Z" (whole seconds).
std::string isoUtcTime(std::chrono::system_clock::time_point when);

}  // namespace portcullis
