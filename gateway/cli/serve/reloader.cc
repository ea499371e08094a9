#include "gateway/cli/serve/reloader.h"

#include <spdlog/spdlog.h>

namespace portcullis::cli {

Reloader::~Reloader() {
  if (thread_.joinable()) thread_.join();
}

void Reloader::request(std::function<void()> work) {
  if (running_.exchange(true)) {
    spdlog::warn("reload already in progress; SIGHUP ignored");
    return;
  }
  if (thread_.joinable()) thread_.join();
  thread_ = std::thread([this, work = std::move(work)] {
    work();
    running_ = false;
  });
}

}  // namespace portcullis::cli
