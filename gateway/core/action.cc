#include "gateway/core/action.h"

namespace portcullis {

std::string_view toString(Stage s) {
  switch (s) {
    case Stage::Connect:
      return "connect";
    case Stage::MailFrom:
      return "mail_from";
    case Stage::Recipient:
      return "recipient";
    case Stage::Message:
      return "message";
  }
  return "unknown";
}

std::string_view toString(Action a) {
  switch (a) {
    case Action::Accept:
      return "accept";
    case Action::Tag:
      return "tag";
    case Action::Quarantine:
      return "quarantine";
    case Action::TempFail:
      return "tempfail";
    case Action::Reject:
      return "reject";
    case Action::Discard:
      return "discard";
  }
  return "unknown";
}

std::string_view toString(FailMode m) {
  return m == FailMode::Neutral ? "neutral" : "tempfail";
}

std::optional<Action> parseAction(std::string_view s) {
  for (Action a : {Action::Accept, Action::Tag, Action::Quarantine, Action::TempFail,
                   Action::Reject, Action::Discard}) {
    if (toString(a) == s) return a;
  }
  return std::nullopt;
}

std::optional<FailMode> parseFailMode(std::string_view s) {
  if (s == "neutral") return FailMode::Neutral;
  if (s == "tempfail") return FailMode::TempFail;
  return std::nullopt;
}

}  // namespace portcullis
