// The "attachments" check (Stage::Message): applies the attachment policy to every attachment of
// the parsed message (mime::Message::attachments()). Each kind of finding becomes one symbol whose
// detail lists the attachments; a blocking finding forces the configured action (by default a
// reject with `554 5.7.1` naming the attachment). Reading names, magic bytes and zip directories
// is cheap and bounded, so the check runs inline.
#pragma once

#include "filters/attachments/attachments_config.h"
#include "gateway/core/check.h"

namespace portcullis::attachments {

class AttachmentsCheck : public Check {
 public:
  explicit AttachmentsCheck(AttachmentsSettings settings);

  std::string_view name() const override { return "attachments"; }
  Stage stage() const override { return Stage::Message; }
  // After ClamAV (0): when both refuse a message, the reply names the virus, which tells the
  // sender more than the attachment rule does (the first forced action of equal strength wins).
  int priority() const override { return 5; }
  awaitable<void> run(const Transaction& tx, Report& report) const override;

  // The work of run(), for callers without a coroutine.
  void inspect(const Transaction& tx, Report& report) const;

 private:
  AttachmentsSettings settings_;
};

}  // namespace portcullis::attachments
