#include "gateway/web/rule_explainer.h"

#include <spdlog/spdlog.h>

#include <exception>
#include <string>

#include "filters/content/content_check.h"
#include "filters/content/message_view.h"
#include "gateway/mime/message.h"

namespace portcullis::web {

std::function<RuleEvidence(std::string_view message)> contentRuleExplainer(
    std::function<std::shared_ptr<const Pipeline>()> current) {
  return [current = std::move(current)](std::string_view raw) {
    RuleEvidence evidence;
    const std::shared_ptr<const Pipeline> pipeline = current();
    if (!pipeline) return evidence;
    try {
      std::optional<mime::Message> message;
      for (const auto& check : pipeline->checks()) {
        const auto* content = dynamic_cast<const content::ContentCheck*>(check.get());
        if (!content) continue;
        if (!message) message = mime::Message::parse(raw);
        const auto rules = content->engine()->current();
        for (const auto& hit : content::scanMessage(*rules, *message, true)) {
          if (hit.matched) evidence[hit.name] = "matched \"" + *hit.matched + "\"";
          if (hit.evidence) evidence[hit.name] = "because " + *hit.evidence;
        }
      }
    } catch (const std::exception& e) {
      spdlog::warn("web: the message could not be explained: {}", e.what());
    }
    return evidence;
  };
}

}  // namespace portcullis::web
