// Delivery status notifications (RFC 3464): the multipart/report the queue sends back to the
// envelope sender when delivery is delayed (Action: delayed) or has failed (Action: failed).
// Part one is a human-readable explanation, part two the message/delivery-status fields, part
// three the original message — or only its headers when RET=HDRS, when the message is larger
// than the configured limit, or when it is BINARYMIME.
//
// Promises: never a notice to the null sender (no bounce loops, no backscatter of DSNs);
// recipients whose NOTIFY excludes the event (NEVER, or a list without FAILURE / DELAY) are left
// out, and no notice at all is made when none is left; every field value is one line (CR, LF
// and other controls in replies or addresses become spaces, so nothing can inject headers); the
// notice comes from MAILER-DAEMON@<reporting host>, carries Auto-Submitted: auto-replied, and
// its envelope has the null sender; no line of the notice is longer than line_length_limit (at
// most 998 octets): longer lines of the returned message, or of a quoted reply, are wrapped as
// the relay wraps them (gateway/smtp/line_wrap.h), and the notice says so.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/envelope.h"
#include "gateway/spool/queue_entry.h"

namespace portcullis::spool {

enum class DsnKind { Delay, Failure };

struct DsnSettings {
  std::string reporting_mta;               // this gateway's host name
  uint64_t max_returned_size = 256 << 10;  // bytes of the original a notice may carry
  // Octets per line (without CRLF), from 78 to 998; anything else means 998.
  size_t line_length_limit = 998;
};

struct DsnRecipient {
  Recipient recipient;       // as in the envelope (address, NOTIFY, ORCPT)
  std::string reply;         // the remote's last reply ("550 5.1.1 No such user"), may be empty
  std::string remote_mta;    // the host that gave it, may be empty
  TimePoint last_attempt{};  // epoch when there was none
  std::string status;        // RFC 3463 status; when empty it is taken from the reply
};

struct DsnMessage {
  Envelope envelope;    // null sender, one recipient: the original sender
  std::string message;  // RFC 5322, CRLF line ends
};

// Whether a recipient's NOTIFY asks for this kind of notice. No NOTIFY means FAILURE,DELAY
// (the choice RFC 3461 §4.1 leaves to the MTA; Postfix makes the same one).
bool notifyWants(std::string_view notify, DsnKind kind);

// The RFC 3463 status for a reply: its enhanced code ("550 5.1.1 ..." gives "5.1.1"), else the
// class of its reply code ("5.0.0" / "4.0.0"), else `fallback`.
std::string statusFromReply(std::string_view reply, std::string_view fallback);

// The recipients a notice of `kind` is about, from an entry's state: for Failure those Failed
// and not yet notified, for Delay those Delayed or Pending. (NOTIFY filtering happens later in
// makeDsn, so the runner can mark every selected failed recipient as notified.)
std::vector<DsnRecipient> selectDsnRecipients(const MessageMeta& meta, const DeliveryState& state,
                                              DsnKind kind);

// The notice, or nothing (null sender, or no recipient wants it). `will_retry_until` is used
// for Delay notices only.
std::optional<DsnMessage> makeDsn(const DsnSettings& settings, DsnKind kind,
                                  const MessageMeta& meta, std::string_view original_message,
                                  const std::vector<DsnRecipient>& recipients, TimePoint now,
                                  TimePoint will_retry_until);

}  // namespace portcullis::spool
