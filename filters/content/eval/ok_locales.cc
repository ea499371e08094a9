#include "filters/content/eval/ok_locales.h"

#include <utility>

#include "filters/content/eval/eval_registry.h"
#include "gateway/base/text.h"

namespace portcullis::content {

OkLocales okLocales(const EvalBuildContext& context) {
  OkLocales out;
  const auto values = context.values("ok_locales");
  if (values.empty()) return out;
  out.all = false;
  for (std::string_view word : split(values.back(), ' ')) {
    word = trim(word);
    if (word.empty()) continue;
    if (word == "all") out.all = true;
    out.names.emplace_back(word);
  }
  return out;
}

bool charsetOkForLocales(std::string_view charset, const OkLocales& locales) {
  if (locales.all) return true;
  std::string cs;
  for (char c : toUpper(charset)) {
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) cs += c;
  }
  while (cs.starts_with("3D")) cs.erase(0, 2);
  for (std::string_view ok : {"USASCII", "ASCII", "IBM852", "XUNKNOWN", "ISO"}) {
    if (cs == ok) return true;
  }
  for (std::string_view prefix : {"ISO8859", "ISO10646", "UTF", "UCS", "CP125", "WINDOWS",
                                  "UNICODE11UTF7", "UNICODE11UTF8"}) {
    if (cs.starts_with(prefix)) return true;
  }
  static const std::pair<std::string_view, std::string_view> kCharsetsOfLocale[] = {
      {"ja",
       " EUCJP JISX020119760 JISX020819830 JISX020819900 JISX020819970 JISX021219900 "
       "JISX021320001 JISX021320002 SHIFT_JIS SHIFTJIS ISO2022JP SJIS JIS7 JISX0201 JISX0208 "
       "JISX0212 "},
      {"ko", " EUCKR KSC56011987 "},
      {"ru", " KOI8R KOI8U KOI8T ISOIR111 CP1251 GEORGIANPS PT154 CP866 "},
      {"ka", " KOI8R KOI8U KOI8T ISOIR111 CP1251 GEORGIANPS PT154 CP866 "},
      {"tg", " KOI8R KOI8U KOI8T ISOIR111 CP1251 GEORGIANPS PT154 CP866 "},
      {"be", " KOI8R KOI8U KOI8T ISOIR111 CP1251 GEORGIANPS PT154 CP866 "},
      {"uk", " KOI8R KOI8U KOI8T ISOIR111 CP1251 GEORGIANPS PT154 CP866 "},
      {"bg", " KOI8R KOI8U KOI8T ISOIR111 CP1251 GEORGIANPS PT154 CP866 "},
      {"th", " TIS620 "},
      {"zh", " GB1988 GB2312 GB231219800 GB18030 GBK BIG5HKSCS BIG5 EUCTW ISO2022CN "},
  };
  const std::string word = " " + cs + " ";
  for (std::string locale : locales.names) {
    if (locale == "C") locale = "en";
    if (locale.size() >= 2 && locale[0] >= 'a' && locale[0] <= 'z' && locale[1] >= 'a' &&
        locale[1] <= 'z')
      locale.resize(2);
    for (const auto& [name, list] : kCharsetsOfLocale) {
      if (name == locale && list.find(word) != std::string_view::npos) return true;
    }
  }
  return false;
}

}  // namespace portcullis::content
