// Queue identifiers: unique across restarts and hosts' clocks going backwards, sortable by
// creation time, and safe as file names (only [0-9A-Z]).
#pragma once

#include <string>
#include <string_view>

namespace portcullis {

std::string newQueueId();
bool isValidQueueId(std::string_view id);

}  // namespace portcullis
