#include "gateway/web/signed_link.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "gateway/web/secrets.h"
#include "gateway/web/url_form.h"

namespace portcullis::web {

namespace {

// Domain separation: a signature of this key means nothing else.
constexpr std::string_view kPurpose = "portcullis recipient link 1\n";

int64_t unixSeconds(spool::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string RecipientLinks::normalized(std::string_view recipient) {
  std::string out(recipient);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string RecipientLinks::signature(std::string_view recipient, int64_t expires) const {
  std::string message(kPurpose);
  message += normalized(recipient);
  message += '\n';
  message += std::to_string(expires);
  return base64Url(hmacSha256(key_, message));
}

std::string RecipientLinks::query(std::string_view recipient, spool::TimePoint expires) const {
  int64_t exp = unixSeconds(expires);
  return "rcpt=" + urlEncode(normalized(recipient)) + "&exp=" + std::to_string(exp) +
         "&sig=" + signature(recipient, exp);
}

std::string RecipientLinks::url(std::string_view base, std::string_view recipient,
                                spool::TimePoint expires) const {
  return std::string(base) + "/r?" + query(recipient, expires);
}

LinkCheck RecipientLinks::check(std::string_view recipient, std::string_view expires,
                                std::string_view signature_text, spool::TimePoint now) const {
  int64_t exp = 0;
  auto [end, error] = std::from_chars(expires.data(), expires.data() + expires.size(), exp);
  if (recipient.empty() || error != std::errc() || end != expires.data() + expires.size()) {
    return LinkCheck::Malformed;
  }
  if (!constantTimeEquals(signature(recipient, exp), signature_text)) {
    return LinkCheck::BadSignature;
  }
  if (unixSeconds(now) >= exp) return LinkCheck::Expired;
  return LinkCheck::Valid;
}

spool::Result<std::string> loadOrCreateLinkKey(const std::filesystem::path& file) {
  using R = spool::Result<std::string>;
  auto failure = [&file](const std::string& what) {
    return R::failure("link key " + file.string() + ": " + what);
  };
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    std::string key = randomBytes(RecipientLinks::kKeyBytes);
    std::filesystem::path tmp = file.string() + ".tmp";
    int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) return failure(std::strerror(errno));
    bool written = ::write(out, key.data(), key.size()) == static_cast<ssize_t>(key.size()) &&
                   ::fsync(out) == 0;
    int error = errno;
    ::close(out);
    // link(), not rename(): when another process made the key meanwhile, its key stays.
    if (!written || (::link(tmp.c_str(), file.c_str()) != 0 && errno != EEXIST)) {
      if (written) error = errno;
      ::unlink(tmp.c_str());
      return failure(std::strerror(error));
    }
    ::unlink(tmp.c_str());
    fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) return failure(std::strerror(errno));
  std::string key(RecipientLinks::kKeyBytes + 1, '\0');
  ssize_t n = ::read(fd, key.data(), key.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(RecipientLinks::kKeyBytes)) {
    return failure("must hold exactly " + std::to_string(RecipientLinks::kKeyBytes) + " bytes");
  }
  key.resize(RecipientLinks::kKeyBytes);
  return R::success(std::move(key));
}

}  // namespace portcullis::web
