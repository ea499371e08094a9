// Dates in mail header fields read the way SpamAssassin reads them
// (Mail::SpamAssassin::Util::parse_rfc822_date): lenient about commas, spacing, two- and
// three-digit years, the asctime form, named and numeric zones, and out-of-range fields (clamped
// or rolled over as SpamAssassin does), so that date rules (DATE_IN_PAST_*, DATE_IN_FUTURE_*,
// MSGID_OUTLOOK_INVALID) measure the same differences. Pure arithmetic: no locale, no time zone
// database, the same answer on every machine.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace portcullis::content {

// Seconds since 1970-01-01 00:00:00 UTC, or nullopt when no day, month and year can be found.
std::optional<int64_t> parseMailDate(std::string_view text);

// Seconds since the epoch of a proleptic Gregorian UTC date and time (month 1-12).
int64_t utcSeconds(int year, int month, int day, int hour, int minute, int second);

}  // namespace portcullis::content
