// TCP facts of a connected socket that glibc's <netinet/tcp.h> does not show, read through the
// kernel's own struct tcp_info (<linux/tcp.h> cannot share a translation unit with Asio, which
// includes the glibc header). Returns -1 when the kernel does not tell.
#pragma once

#include <cstdint>

namespace portcullis::milter_test {

// Segments received on `fd` so far, bare acknowledgements included.
int64_t tcpSegmentsReceived(int fd);

}  // namespace portcullis::milter_test
