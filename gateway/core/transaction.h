// One mail transaction as every check sees it: the connection facts, the envelope and, from the
// Message stage on, the raw message (CRLF line ends, without the gateway's own Received header)
// and its parsed MIME model. Checks only read it; the front end (SMTP or milter) fills it.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "gateway/core/envelope.h"

namespace portcullis {

namespace mime {
class Message;
}

struct Transaction {
  std::string id;  // queue id: unique, names the spool file and every log line of the message
  ClientInfo client;
  Envelope envelope;
  std::string message;                          // raw RFC 5322 message, CRLF line ends
  std::shared_ptr<const mime::Message> parsed;  // set before Message-stage checks run
  std::chrono::system_clock::time_point started = std::chrono::system_clock::now();
};

}  // namespace portcullis
