// How eval tests write a number into their evidence (`scan --explain`): printf's %g with
// `significant_digits` digits, so 0.25 stays "0.25" and a pixel count stays whole.
#pragma once

#include <cstdio>
#include <string>

namespace portcullis::content {

template <int significant_digits>
std::string evidenceNumber(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*g", significant_digits, value);
  return buffer;
}

}  // namespace portcullis::content
