// libFuzzer target for the HTML facts (filters/content/eval/html_facts.h): any byte string, read
// as an HTML document, must be measured without crashing, in bounded time, into consistent
// figures (counts never negative, ratios within their bounds).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "filters/content/eval/html_facts.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace portcullis::content;
  const std::string_view html(reinterpret_cast<const char*>(data), size);
  const HtmlDocumentFacts facts = analyzeHtml(html, size);
  if (!facts.value("html") || !facts.value("length")) __builtin_trap();
  for (const char* ratio : {"closed_extra_ratio", "bad_tag_ratio", "non_element_ratio"}) {
    const double* v = facts.value(ratio);
    if (v && (*v < 0 || *v > 1)) __builtin_trap();
  }
  for (const auto& [tag, open] : facts.inside)
    if (open < 0) __builtin_trap();
  const double* length = facts.value("html_length");
  const double* non_space = facts.value("non_space_len");
  if (!length || !non_space || *non_space < 0 || *non_space > *length) __builtin_trap();
  size_t total = 0;
  for (const char* list : {"comment", "script", "title", "anchor", "uri"})
    for (const auto& text : *facts.texts(list)) total += text.size();
  return total == static_cast<size_t>(-1);
}
