#include "filters/clamav/clamav_factory.h"

#include "filters/clamav/clamav_check.h"
#include "gateway/config/section.h"

namespace portcullis::clamav {

CheckFactory clamavCheckFactory(EngineManagerObserver on_engines) {
  return CheckFactory{
      "clamav",
      [on_engines = std::move(on_engines)](config::Section& section, const CheckDeps& deps)
          -> std::vector<std::shared_ptr<const Check>> {
        ClamavSettings settings = ClamavSettings::read(section);
        section.finish();
        auto engines = std::make_shared<EngineManager>(
            settings.engine, settings.reload_check_period, deps.events.loaded);
        if (on_engines) on_engines(engines);
        return {std::make_shared<ClamavCheck>(std::move(engines), std::move(settings), deps.workers,
                                              deps.events.virus_scanned)};
      }};
}

}  // namespace portcullis::clamav
