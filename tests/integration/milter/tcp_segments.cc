#include "tests/integration/milter/tcp_segments.h"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>

namespace portcullis::milter_test {

int64_t tcpSegmentsReceived(int fd) {
  struct tcp_info info {};
  socklen_t length = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return -1;
  if (length < offsetof(struct tcp_info, tcpi_segs_in) + sizeof info.tcpi_segs_in) return -1;
  return info.tcpi_segs_in;
}

}  // namespace portcullis::milter_test
