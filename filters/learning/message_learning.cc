#include "filters/learning/message_learning.h"

#include "filters/content/eval/classifier_facts.h"
#include "filters/content/message_view.h"
#include "gateway/mime/wire_form.h"

namespace portcullis::learning {

Result<LearnOutcome> learnMessage(const classifier::Classifier& classifier, std::string_view raw,
                                  std::optional<MessageClass> cls, const mime::Limits& limits) {
  const std::string received = mime::inWireForm(raw);
  const mime::Message message = mime::Message::parse(received, limits);
  const content::ContentView view = content::viewOfMessage(message);
  const classifier::ClassifierInput input = content::classifierInputOf(view);
  return cls ? classifier.learn(input, *cls) : classifier.forget(input);
}

}  // namespace portcullis::learning
