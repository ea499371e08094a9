#include "gateway/dns/resolver.h"

namespace portcullis::dns {

std::string_view toString(RrType type) {
  switch (type) {
    case RrType::A:
      return "A";
    case RrType::AAAA:
      return "AAAA";
    case RrType::TXT:
      return "TXT";
    case RrType::MX:
      return "MX";
    case RrType::PTR:
      return "PTR";
  }
  return "unknown";
}

std::string_view toString(Status status) {
  switch (status) {
    case Status::Ok:
      return "ok";
    case Status::NoData:
      return "nodata";
    case Status::NxDomain:
      return "nxdomain";
    case Status::ServFail:
      return "servfail";
    case Status::Timeout:
      return "timeout";
    case Status::Error:
      return "error";
  }
  return "unknown";
}

}  // namespace portcullis::dns
