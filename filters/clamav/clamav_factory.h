// The CheckFactory for `[checks.clamav]`. It loads the engine at start-up and hands the
// EngineManager to `on_engines` (if given) so the binary can wire SIGHUP to reload() /
// requestReload() and export stats() as metrics.
#pragma once

#include <functional>
#include <memory>

#include "filters/clamav/engine_manager.h"
#include "gateway/core/check_factory.h"

namespace portcullis::clamav {

using EngineManagerObserver = std::function<void(std::shared_ptr<EngineManager>)>;

CheckFactory clamavCheckFactory(EngineManagerObserver on_engines = {});

}  // namespace portcullis::clamav
