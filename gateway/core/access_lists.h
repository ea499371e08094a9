// The allow and deny lists of the verdict policy, as configured in [policy]: client networks,
// sender and recipient addresses or domains. Read by the configuration, consulted by the Policy.
#pragma once

#include "gateway/core/address_list.h"
#include "gateway/core/network_list.h"

namespace portcullis {

struct AccessLists {
  NetworkList allow_clients;
  NetworkList deny_clients;
  AddressList allow_senders;
  AddressList deny_senders;
  AddressList allow_recipients;
  AddressList deny_recipients;
};

}  // namespace portcullis
