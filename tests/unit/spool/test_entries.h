// Queue entries for the spool tests: a plain one and one with every optional field set.
#pragma once

#include <string>

#include "gateway/core/queue_id.h"
#include "gateway/spool/queue_entry.h"

namespace portcullis::spool::testing {

inline MessageMeta plainMeta(std::string id = newQueueId()) {
  MessageMeta meta;
  meta.id = std::move(id);
  meta.arrival = TimePoint(std::chrono::seconds(1'790'000'000));
  meta.client.address = "192.0.2.10";
  meta.client.port = 40000;
  meta.envelope.mail_from = "alice@example.org";
  meta.envelope.recipients.push_back(Recipient{"bob@example.net", {}, {}});
  return meta;
}

inline MessageMeta fullMeta(std::string id = newQueueId()) {
  MessageMeta meta = plainMeta(std::move(id));
  meta.arrival = TimePoint(std::chrono::microseconds(1'790'000'000'123'456));
  meta.client.address = "2001:db8::1";
  meta.client.hostname = "mail.example.org";
  meta.client.helo = "mail.example.org [odd % helo\twith tab]";
  meta.client.esmtp = true;
  meta.client.tls = TlsInfo{"TLSv1.3", "TLS_AES_256_GCM_SHA384", 256};
  meta.client.auth_user = "alice";
  meta.envelope.mail_from = "ålice+tag@exämple.org";
  meta.envelope.params.size = 12345;
  meta.envelope.params.body = "8BITMIME";
  meta.envelope.params.smtputf8 = true;
  meta.envelope.params.ret = "HDRS";
  meta.envelope.params.envid = "QQ314159+2Bx";
  meta.envelope.recipients = {
      Recipient{"bob@example.net", "SUCCESS,FAILURE", "rfc822;bob+2Balias@example.net"},
      Recipient{"carol@example.net", "NEVER", {}},
      Recipient{"dave@example.net", {}, "rfc822;dave@old.example.net"},
  };
  return meta;
}

inline const std::string kSimpleMessage =
    "From: alice@example.org\r\nTo: bob@example.net\r\nSubject: hi\r\n\r\nHello.\r\n";

}  // namespace portcullis::spool::testing
