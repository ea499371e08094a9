#include "gateway/web/message_view.h"

#include <exception>

#include "gateway/mime/message.h"

namespace portcullis::web {

spool::Result<MessageView> viewMessage(std::string_view raw, uint64_t max_text_bytes) {
  using R = spool::Result<MessageView>;
  try {
    mime::Message message = mime::Message::parse(raw);
    MessageView view;
    for (const auto& field : message.headers().all()) {
      view.headers.emplace_back(field.name, field.value);
    }
    for (const auto& part : message.parts()) {
      bool text = part.content_type.rfind("text/", 0) == 0 && part.disposition != "attachment";
      if (!text || !part.children.empty() || part.is_multipart()) continue;
      if (!view.text.empty()) view.text += "\n\n";
      view.text += part.text;
      if (view.text.size() > max_text_bytes) {
        view.text.resize(max_text_bytes);
        view.text_cut = true;
        break;
      }
    }
    for (const auto& attachment : message.attachments()) {
      view.attachments.push_back({attachment.filename, attachment.declared_type, attachment.size});
    }
    return R::success(std::move(view));
  } catch (const std::exception& error) {
    return R::failure(std::string("the message cannot be parsed: ") + error.what());
  }
}

}  // namespace portcullis::web
