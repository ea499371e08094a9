#include "filters/attachments/attachments_factory.h"

#include "filters/attachments/attachments_check.h"
#include "gateway/config/section.h"

namespace portcullis::attachments {

CheckFactory attachmentsCheckFactory() {
  return CheckFactory{
      "attachments",
      [](config::Section& section, const CheckDeps&) -> std::vector<std::shared_ptr<const Check>> {
        AttachmentsSettings settings = AttachmentsSettings::read(section);
        section.finish();
        return {std::make_shared<AttachmentsCheck>(std::move(settings))};
      }};
}

}  // namespace portcullis::attachments
