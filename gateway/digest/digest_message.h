// One recipient's digest as an RFC 5322 message: the template rendered with the recipient's newly
// quarantined messages (sender, subject, date, score; each value made safe by listedText) and the
// signed link to their part of the web console, wrapped in header fields built only from checked
// values: Date, From, To, Subject (RFC 2047 when not ASCII), Message-ID, MIME-Version,
// Content-Type text/plain; charset=utf-8, Content-Transfer-Encoding 7bit or quoted-printable,
// Auto-Submitted: auto-generated (RFC 3834) and X-Auto-Response-Suppress: All.
#pragma once

#include <string>
#include <vector>

#include "gateway/digest/digest_template.h"
#include "gateway/quarantine/quarantine_entry.h"

namespace portcullis::digest {

struct DigestContent {
  std::string recipient;                   // a plain address (quarantine::isPlainAddress)
  std::vector<quarantine::Entry> entries;  // the listed messages, newest first
  size_t total = 0;                        // new messages, listed or not
  std::string link;                        // the signed console URL
  quarantine::TimePoint link_expires;
};

struct DigestHeader {
  std::string from;              // a plain address
  std::string hostname;          // for the Message-ID
  std::string message_id_local;  // unique part of the Message-ID (a queue id)
  quarantine::TimePoint date;
  size_t max_field_length = 120;  // characters of a listed subject or sender
};

// The complete message, CRLF line ends.
std::string composeDigest(const DigestTemplate& layout, const DigestHeader& header,
                          const DigestContent& content);

// "2026-12-07 07:00" in the local time zone ("... CET" with `zone`).
std::string localTime(quarantine::TimePoint t, bool zone = false);

}  // namespace portcullis::digest
