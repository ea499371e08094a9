#include "filters/attachments/attachments_check.h"

#include <map>
#include <stdexcept>

#include "gateway/mime/message.h"

namespace portcullis::attachments {
namespace {

struct Aggregate {
  double score = 0;
  std::string detail;
  bool blocks = false;
};

}  // namespace

AttachmentsCheck::AttachmentsCheck(AttachmentsSettings settings) : settings_(std::move(settings)) {}

awaitable<void> AttachmentsCheck::run(const Transaction& tx, Report& report) const {
  inspect(tx, report);
  co_return;
}

void AttachmentsCheck::inspect(const Transaction& tx, Report& report) const {
  if (!tx.parsed) throw std::logic_error("attachments check run before the message was parsed");
  const mime::Message& message = *tx.parsed;

  std::map<std::string_view, Aggregate> by_symbol;  // ordered: stable symbol order in reports
  std::string first_blocked;
  for (const mime::Attachment& a : message.attachments()) {
    for (Finding& f :
         evaluate({a.filename, a.declared_type, message.content(a)}, settings_.policy)) {
      Aggregate& agg = by_symbol[f.symbol];
      if (!agg.detail.empty()) agg.detail += ", ";
      agg.detail += f.detail;
      agg.score = std::max(agg.score, f.score);
      agg.blocks = agg.blocks || f.blocks;
      if (f.blocks && first_blocked.empty()) first_blocked = f.detail;
    }
  }
  for (auto& [symbol, agg] : by_symbol) {
    report.addSymbol({std::string(symbol), agg.score, std::move(agg.detail)});
  }
  if (first_blocked.empty() || settings_.action == Action::Accept) return;

  ForcedAction forced{settings_.action, "attachment not allowed: " + first_blocked, {}, {}, {}};
  if (settings_.action == Action::Reject) {
    forced.smtp_code = "554";
    forced.enhanced = "5.7.1";
    forced.reply_text = "Message rejected: attachment not allowed: " + first_blocked;
  }
  report.force(std::move(forced));
}

}  // namespace portcullis::attachments
