#include "gateway/dns/validated_names.h"

#include "gateway/dns/domain_name.h"

namespace portcullis::dns {

awaitable<std::vector<std::string>> validatedNames(Resolver& resolver, const IpAddress& address,
                                                   size_t max_names) {
  std::vector<std::string> validated;
  const Answer ptr = co_await resolver.query(address.reverseName(), RrType::PTR);
  if (!ptr.ok()) co_return validated;
  size_t tried = 0;
  for (const auto& name : ptr.records) {
    if (tried++ == max_names) break;
    if (!isQueryableName(name)) continue;
    const Answer addresses =
        co_await resolver.query(name, address.isV4() ? RrType::A : RrType::AAAA);
    if (!addresses.ok()) continue;
    for (const auto& text : addresses.records) {
      if (auto parsed = IpAddress::parse(text); parsed && *parsed == address) {
        validated.emplace_back(withoutTrailingDot(name));
        break;
      }
    }
  }
  co_return validated;
}

}  // namespace portcullis::dns
