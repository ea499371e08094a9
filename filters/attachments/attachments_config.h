// The `[checks.attachments]` configuration (the attachment policy and the action a blocking finding
// forces) and the CheckFactory that builds the attachments check (Stage::Message) from it.
#pragma once

#include "filters/attachments/attachment_policy.h"
#include "gateway/core/action.h"
#include "gateway/core/check_factory.h"

namespace portcullis::config {
class Section;
}

namespace portcullis::attachments {

struct AttachmentsSettings {
  AttachmentPolicy policy = AttachmentPolicy::defaults();
  Action action = Action::Reject;  // forced by a blocking finding
  // Reads and validates `[checks.attachments]`; does not call finish().
  static AttachmentsSettings read(config::Section& section);
};

CheckFactory attachmentsCheckFactory();

}  // namespace portcullis::attachments
