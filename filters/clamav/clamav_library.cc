#include "filters/clamav/clamav_library.h"

#include <clamav.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <stdexcept>
#include <string_view>

#include "gateway/base/text.h"

namespace portcullis::clamav {
namespace {

thread_local std::vector<std::string>* captured_messages = nullptr;

void onLibraryMessage(enum cl_msg severity, const char* /*fullmsg*/, const char* msg,
                      void* /*context*/) {
  std::string_view text = trimTrailingNewlines(msg ? msg : "");
  switch (severity) {
    case CL_MSG_ERROR:
      spdlog::error("libclamav: {}", text);
      break;
    case CL_MSG_WARN:
      spdlog::warn("libclamav: {}", text);
      break;
    default:
      spdlog::debug("libclamav: {}", text);
      return;
  }
  if (captured_messages) captured_messages->emplace_back(text);
}

}  // namespace

void ensureLibraryInitialized() {
  static std::once_flag once;
  static cl_error_t result = CL_SUCCESS;
  std::call_once(once, [] {
    cl_set_clcb_msg(onLibraryMessage);
    result = cl_init(CL_INIT_DEFAULT);
  });
  if (result != CL_SUCCESS) {
    throw std::runtime_error(std::string("cl_init failed: ") + cl_strerror(result));
  }
}

LibraryMessageCapture::LibraryMessageCapture(std::vector<std::string>& sink)
    : previous_(captured_messages) {
  captured_messages = &sink;
}

LibraryMessageCapture::~LibraryMessageCapture() {
  captured_messages = previous_;
}

}  // namespace portcullis::clamav
