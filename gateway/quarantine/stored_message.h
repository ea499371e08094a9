// The bytes the quarantine keeps in its spool for one message: the quarantine details followed by
// the original message, in the spool's record format ("PORTCULLIS-QUARANTINE 1"). The spool's own
// checksum covers all of it; the decoder still accepts any bytes and names what it rejects.
#pragma once

#include <string>
#include <string_view>

#include "gateway/quarantine/quarantine_entry.h"
#include "gateway/spool/result.h"

namespace portcullis::quarantine {

inline constexpr std::string_view kStoredMessageMagic = "PORTCULLIS-QUARANTINE 1";

struct StoredMessage {
  Details details;
  std::string message;
};

std::string encodeStoredMessage(const Details& details, std::string_view message);
spool::Result<StoredMessage> decodeStoredMessage(std::string_view bytes);

}  // namespace portcullis::quarantine
