// The CheckFactory for `[checks.attachments]` (the attachment policy, Stage::Message).
#pragma once

#include "gateway/core/check_factory.h"

namespace portcullis::attachments {

CheckFactory attachmentsCheckFactory();

}  // namespace portcullis::attachments
