// The facts about one message that eval tests share, computed once per scan and only when a rule
// asks: the relay model (and the pseudo-headers SpamAssassin builds from it: X-Spam-Relays-*,
// EnvelopeFrom), and any fact a family of evals defines for itself (the HTML structure, the
// dates), kept by type. Belongs to one scan on one thread: not thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <typeindex>
#include <utility>
#include <vector>

#include "filters/content/content_view.h"
#include "filters/content/eval/relay_model.h"

namespace portcullis::content {

class MessageFacts {
 public:
  MessageFacts(const ContentView& view, const RelayTrust& trust) : view_(view), trust_(trust) {}

  const ContentView& view() const { return view_; }
  const RelayModel& relays();

  // The value of a pseudo-header SpamAssassin synthesises (X-Spam-Relays-Trusted, -Untrusted,
  // -Internal, -External, EnvelopeFrom), or nullopt for any other name.
  std::optional<std::string> pseudoHeader(std::string_view name);
  static bool isPseudoHeader(std::string_view name);

  // The fact of type T, built by `build()` on first use in this scan.
  template <typename T, typename Build>
  const T& get(Build&& build) {
    const std::type_index type(typeid(T));
    for (const auto& [t, fact] : facts_) {
      if (t == type) return *static_cast<const T*>(fact.get());
    }
    auto fact = std::make_shared<T>(build());
    const T& ref = *fact;
    facts_.emplace_back(type, std::move(fact));
    return ref;
  }

 private:
  const ContentView& view_;
  const RelayTrust& trust_;
  std::optional<RelayModel> relays_;
  std::vector<std::pair<std::type_index, std::shared_ptr<const void>>> facts_;
};

}  // namespace portcullis::content
