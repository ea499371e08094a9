#include "filters/dkim/key_record.h"

#include "filters/dkim/signature.h"
#include "filters/dkim/tag_list.h"
#include "gateway/base/text.h"

namespace portcullis::dkim {

namespace {

std::vector<std::string> colonList(std::string_view value) {
  std::vector<std::string> out;
  std::string compact = removeWhitespace(value);
  for (auto item : split(compact, ':')) {
    if (!item.empty()) out.push_back(toLower(item));
  }
  return out;
}

std::string parseTags(const std::vector<Tag>& tags, KeyRecord& key) {
  if (!tags.empty() && tags.front().name == "v" && tags.front().value != "DKIM1") {
    return "unsupported key record version v=" + std::string(tags.front().value);
  }
  if (findTag(tags, "v") && tags.front().name != "v") return "v= is not the first tag";
  if (const Tag* k = findTag(tags, "k")) key.key_type = toLower(k->value);
  if (const Tag* h = findTag(tags, "h")) key.hashes = colonList(h->value);
  if (const Tag* s = findTag(tags, "s")) {
    bool email = false;
    for (const auto& service : colonList(s->value))
      email = email || service == "*" || service == "email";
    if (!email) return "key is not for e-mail (s=" + std::string(s->value) + ")";
  }
  if (const Tag* t = findTag(tags, "t")) {
    for (const auto& flag : colonList(t->value)) {
      key.testing = key.testing || flag == "y";
      key.strict = key.strict || flag == "s";
    }
  }
  const Tag* p = findTag(tags, "p");
  if (!p) return "missing p= tag";
  auto decoded = decodeBase64(p->value);
  if (!decoded) return "malformed p= tag";
  key.public_key = std::move(*decoded);
  return {};
}

}  // namespace

KeyRecord parseKeyRecord(std::string_view text) {
  KeyRecord key;
  auto tags = parseTagList(text);
  if (!tags) {
    key.error = "malformed key record";
    return key;
  }
  key.error = parseTags(*tags, key);
  return key;
}

}  // namespace portcullis::dkim
