// Plain-scanning equivalents of the simple patterns the Received-field parser (received.h)
// searches every field with. Each function returns exactly what the pattern named above it
// returns under Perl's leftmost-first matching (tests/unit/mime/received_scan_test.cc holds them
// to the patterns), in one pass and without a regex engine.
#pragma once

#include <optional>
#include <string_view>

namespace portcullis::mime::received_scan {

// `^\(?from ` (case-insensitive).
bool startsWithFrom(std::string_view text);

// `\bwith local for\b`.
bool saysWithLocalFor(std::string_view text);

// `^from (\S+) by [^\s;]+ ?;` (case-insensitive): group 1, a field naming only a host.
std::optional<std::string_view> hostOnlyFrom(std::string_view text);

// ` id <?([^\s<>;]{3,})`: group 1.
std::optional<std::string_view> queueId(std::string_view text);

// `\bhelo=(H+)(?:[^H]|$)`, H being [-A-Za-z0-9.^+_&:=?!@%*$\\/]: group 1.
std::optional<std::string_view> heloAssignment(std::string_view text);

// `\b(?:HELO|EHLO) (H+)(?:[^H]|$)`: group 1.
std::optional<std::string_view> heloCommand(std::string_view text);

// ` by (\S+)(?:[^-A-Za-z0-9;.]|$)`: group 1.
std::optional<std::string_view> byHost(std::string_view text);

// Where the leftmost match of SpamAssassin's date pattern begins: `[\s;]+` then
//   (?:(?:Mon|T(?:ue|hu)|Wed|Fri|S(?:at|un)), )?\d+ (?:J(?:an|u[nl])|Feb|Ma[ry]|A(?:pr|ug)|Sep|
//   Oct|Nov|Dec) \d+ \d+:\d+(?::\d+)? \S+$
std::optional<size_t> trailingDate(std::string_view text);

}  // namespace portcullis::mime::received_scan
