// The Authentication-Results header field (RFC 8601) the gateway adds for its own SPF, DKIM and
// DMARC results, and the test for fields that already claim the gateway's authserv-id: those
// came from outside, are forged by definition, and the session removes them (RFC 8601 §5).
// Pure functions; values are ASCII.
#pragma once

#include <string>
#include <string_view>

#include "gateway/core/auth_results.h"

namespace portcullis::pipeline {

// The field value (without "Authentication-Results:"): "<authserv-id>; spf=pass
// smtp.mailfrom=example.org; dkim=pass header.d=... header.s=... header.i=... header.a=...
// header.b=<first 8 characters of b=>;
// dmarc=pass (p=reject dis=none) header.from=...", or "<authserv-id>; none" when there is no
// result. `separator` follows each ';' ("\r\n\t" folds one result per line).
std::string renderAuthenticationResults(const AuthResults& results, std::string_view authserv_id,
                                        std::string_view separator = " ");

// True when an Authentication-Results field value names `authserv_id` as its authserv-id
// (compared case-insensitively, comments and a version number skipped).
bool claimsAuthservId(std::string_view field_value, std::string_view authserv_id);

}  // namespace portcullis::pipeline
