// Which settings a reload (SIGHUP) cannot apply to the running gateway: those of the parts built
// once at start (sockets and threads, the spool and its queue runner, the resolver, metrics, the
// milter, the quarantine store, logging). A reload compares the new file with the one the gateway
// started from and names what changed among these, so that the operator knows a restart is due
// instead of believing the change applied. README.md ("Configuration") lists both sides.
#pragma once

#include <string>
#include <vector>

#include "gateway/config/document.h"

namespace portcullis::config {

// The settings that differ between `running` (the file the gateway started with) and `fresh` and
// take effect only at the next start, as sorted dotted names ("queue.retry_min",
// "server.listen"). With `spool_mode` the queue runner keeps the [relay] settings it started with.
std::vector<std::string> settingsNeedingRestart(const Document& running, const Document& fresh,
                                                bool spool_mode);

}  // namespace portcullis::config
