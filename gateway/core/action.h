// The small vocabularies every part of the gateway shares: when a check runs (Stage), what happens
// to a message (Action), and what a failing check means (FailMode). Stable names for logs/metrics.
#pragma once

#include <optional>
#include <string_view>

namespace portcullis {

// When in the SMTP transaction a check runs; the milter maps its callbacks onto the same stages.
enum class Stage { Connect, MailFrom, Recipient, Message };

// Ordered by severity: a stricter action has a larger value (used when several apply).
enum class Action { Accept, Tag, Quarantine, TempFail, Reject, Discard };

// What a check's error or timeout means for the message.
enum class FailMode { Neutral, TempFail };

std::string_view toString(Stage s);
std::string_view toString(Action a);
std::string_view toString(FailMode m);
std::optional<Action> parseAction(std::string_view s);
std::optional<FailMode> parseFailMode(std::string_view s);

}  // namespace portcullis
