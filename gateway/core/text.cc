#include "gateway/core/text.h"

#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>

namespace portcullis {

std::string jsonQuoted(std::string_view s) {
  return boost::json::serialize(boost::json::string_view(s.data(), s.size()));
}

}  // namespace portcullis
