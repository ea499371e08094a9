#include "filters/content/eval/mail_date.h"

#include <array>
#include <string>
#include <utility>

#include "gateway/base/ascii.h"

namespace portcullis::content {
namespace {

// The date with every comma (and the spaces after it) and every whitespace run made one space,
// between a leading and a trailing space: the form every pattern below is matched against.
std::string normalized(std::string_view date) {
  std::string commas;
  commas.reserve(date.size() + 2);
  commas += ' ';
  for (size_t i = 0; i < date.size(); ++i) {
    if (date[i] == ',') {
      commas += ' ';
      while (i + 1 < date.size() && date[i + 1] == ' ') ++i;
    } else {
      commas += date[i];
    }
  }
  commas += ' ';
  std::string out;
  out.reserve(commas.size());
  for (char c : commas) {
    if (isAsciiSpace(c)) {
      if (out.empty() || out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

// Length of the run of digits at `at`.
size_t digitRun(const std::string& s, size_t at) {
  size_t n = 0;
  while (at + n < s.size() && isAsciiDigit(s[at + n])) ++n;
  return n;
}

// The month (1-12) named by three letters at `at` followed by a space, or 0.
int monthAt(const std::string& s, size_t at) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  if (at + 3 >= s.size() || s[at + 3] != ' ') return 0;
  const std::string name{asciiLower(s[at]), asciiLower(s[at + 1]), asciiLower(s[at + 2])};
  for (size_t m = 0; m < kMonths.size(); ++m) {
    if (kMonths[m] == name) return static_cast<int>(m) + 1;
  }
  return 0;
}

// A number from digits, saturated well above any valid field.
int64_t number(const std::string& s, size_t at, size_t length) {
  int64_t value = 0;
  for (size_t i = 0; i < length; ++i) {
    value = value * 10 + (s[at + i] - '0');
    if (value > 1000000000) return 1000000000;
  }
  return value;
}

// Replaces s[from, to) (which starts and ends with a space) with one space.
void cut(std::string& s, size_t from, size_t to) {
  s.replace(from, to - from, " ");
}

struct DayMonthYear {
  int64_t day = 0;
  int month = 0;
  int64_t year = 0;
  size_t year_digits = 0;
};

// " DD Mon YYYY " (year_digits 4) or " DD Mon YY[Y] " (2 or 3), leftmost, removed from `s`.
std::optional<DayMonthYear> takeDayMonthYear(std::string& s, size_t min_year, size_t max_year) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != ' ') continue;
    const size_t day_digits = digitRun(s, i + 1);
    if (day_digits == 0 || i + 1 + day_digits >= s.size() || s[i + 1 + day_digits] != ' ') continue;
    const size_t month_at = i + 2 + day_digits;
    const int month = monthAt(s, month_at);
    if (month == 0) continue;
    const size_t year_at = month_at + 4;
    const size_t year_digits = digitRun(s, year_at);
    if (year_digits < min_year || year_digits > max_year || year_at + year_digits >= s.size() ||
        s[year_at + year_digits] != ' ')
      continue;
    DayMonthYear date{number(s, i + 1, day_digits), month, number(s, year_at, year_digits),
                      year_digits};
    cut(s, i, year_at + year_digits + 1);
    return date;
  }
  return std::nullopt;
}

// " Mon DD hh:mm:ss YYYY " (asctime), leftmost, removed from `s` with its time of day.
std::optional<DayMonthYear> takeAsctime(std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != ' ') continue;
    const int month = monthAt(s, i + 1);
    if (month == 0) continue;
    size_t at = i + 5;
    const size_t day_digits = digitRun(s, at);
    if (day_digits == 0 || at + day_digits >= s.size() || s[at + day_digits] != ' ') continue;
    const int64_t day = number(s, at, day_digits);
    at += day_digits + 1;
    bool clock = true;
    for (int field = 0; field < 3 && clock; ++field) {
      const size_t n = digitRun(s, at);
      const char separator = field < 2 ? ':' : ' ';
      clock = n > 0 && at + n < s.size() && s[at + n] == separator;
      at += n + 1;
    }
    if (!clock) continue;
    if (digitRun(s, at) != 4 || at + 4 >= s.size() || s[at + 4] != ' ') continue;
    DayMonthYear date{day, month, number(s, at, 4), 4};
    cut(s, i, at + 5);
    return date;
  }
  return std::nullopt;
}

struct TimeOfDay {
  int64_t hour = 0, minute = 0, second = 0;
};

// " h:mm " or " hh:mm:ss ", leftmost, removed from `s`.
TimeOfDay takeTimeOfDay(std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != ' ') continue;
    const size_t hour_digits = digitRun(s, i + 1);
    if (hour_digits == 0 || hour_digits > 2) continue;
    const size_t colon = i + 1 + hour_digits;
    if (colon >= s.size() || s[colon] != ':') continue;
    if (digitRun(s, colon + 1) < 2 || colon + 3 >= s.size()) continue;
    TimeOfDay time{number(s, i + 1, hour_digits), number(s, colon + 1, 2), 0};
    const size_t after = colon + 3;
    if (s[after] == ':' && digitRun(s, after + 1) >= 2 && after + 3 < s.size() &&
        s[after + 3] == ' ') {
      time.second = number(s, after + 1, 2);
      cut(s, i, after + 4);
      return time;
    }
    if (s[after] != ' ') continue;
    cut(s, i, after + 1);
    return time;
  }
  return {};
}

// " +hhmm " or " -hhmm ", leftmost, removed from `s`.
std::optional<std::string> takeNumericZone(std::string& s) {
  for (size_t i = 0; i + 6 < s.size(); ++i) {
    if (s[i] != ' ' || (s[i + 1] != '+' && s[i + 1] != '-')) continue;
    if (digitRun(s, i + 2) != 4 || s[i + 6] != ' ') continue;
    std::string zone = s.substr(i + 1, 5);
    cut(s, i, i + 7);
    return zone;
  }
  return std::nullopt;
}

// The offset of the first word of two to four capitals (SpamAssassin's zone abbreviation), or
// nullopt when there is none or SpamAssassin does not know it.
std::optional<std::string> namedZone(const std::string& s) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 49> kZones = {{
      {"UT", "+0000"},   {"UTC", "+0000"},  {"NDT", "-0230"},  {"AST", "-0400"},  {"ADT", "-0300"},
      {"NST", "-0330"},  {"EST", "-0500"},  {"EDT", "-0400"},  {"CST", "-0600"},  {"CDT", "-0500"},
      {"MST", "-0700"},  {"MDT", "-0600"},  {"PST", "-0800"},  {"PDT", "-0700"},  {"HST", "-1000"},
      {"AKST", "-0900"}, {"AKDT", "-0800"}, {"HADT", "-0900"}, {"HAST", "-1000"}, {"GMT", "+0000"},
      {"BST", "+0100"},  {"IST", "+0100"},  {"WET", "+0000"},  {"WEST", "+0100"}, {"CET", "+0100"},
      {"CEST", "+0200"}, {"EET", "+0200"},  {"EEST", "+0300"}, {"MSK", "+0300"},  {"MSD", "+0400"},
      {"MET", "+0100"},  {"MEZ", "+0100"},  {"MEST", "+0200"}, {"MESZ", "+0200"}, {"BRST", "-0200"},
      {"BRT", "-0300"},  {"AEST", "+1000"}, {"AEDT", "+1100"}, {"ACST", "+0930"}, {"ACDT", "+1030"},
      {"AWST", "+0800"}, {"NZST", "+1200"}, {"NZDT", "+1300"}, {"JST", "+0900"},  {"KST", "+0900"},
      {"HKT", "+0800"},  {"SGT", "+0800"},  {"PHT", "+0800"},  {"IDT", "+0300"},
  }};
  auto endsWord = [&s](size_t at) { return at >= s.size() || !isAsciiWordChar(s[at]); };
  for (size_t p = 1; p < s.size(); ++p) {
    if (!isAsciiUpper(s[p]) || isAsciiWordChar(s[p - 1])) continue;
    size_t run = 0;
    while (p + run < s.size() && isAsciiUpper(s[p + run])) ++run;
    if (run < 2 || run > 4) continue;
    const size_t end = p + run;
    std::string_view word;
    if (s.compare(end, 4, "-DST") == 0 && endsWord(end + 4)) {
      return std::nullopt;  // "XXX-DST" is no zone SpamAssassin knows
    } else if (endsWord(end)) {
      word = std::string_view(s).substr(p, run);
    } else {
      continue;
    }
    for (const auto& [name, offset] : kZones) {
      if (name == word) return std::string(offset);
    }
    return std::nullopt;
  }
  return std::nullopt;
}

bool isLeapYear(int64_t year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

}  // namespace

int64_t utcSeconds(int year, int month, int day, int hour, int minute, int second) {
  // Days from 1970-01-01 of a civil date (Howard Hinnant's algorithm).
  const int64_t y = year - (month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t year_of_era = y - era * 400;
  const int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  const int64_t days = era * 146097 + day_of_era - 719468;
  return days * 86400 + hour * 3600 + minute * 60 + second;
}

std::optional<int64_t> parseMailDate(std::string_view text) {
  std::string s = normalized(text);
  std::optional<DayMonthYear> date = takeDayMonthYear(s, 4, 4);
  if (!date) date = takeAsctime(s);
  if (!date) date = takeDayMonthYear(s, 2, 3);
  if (!date) return std::nullopt;

  int64_t year = date->year;
  if (date->year_digits == 2 && year < 50) {
    year += 2000;
  } else if (date->year_digits != 4) {
    year += 1900;
  }
  TimeOfDay time = takeTimeOfDay(s);
  std::string zone = "-0000";
  if (auto numeric = takeNumericZone(s)) {
    zone = *numeric;
  } else if (auto named = namedZone(s)) {
    zone = *named;
  }

  if (time.second > 59) time.second = 59;
  if (time.minute > 59) time.minute = 59;
  if (time.hour > 23) time.hour = 23;
  int month = date->month;
  int64_t day = date->day;
  int64_t max_day = 31;
  if (month == 4 || month == 6 || month == 9 || month == 11) {
    max_day = 30;
  } else if (month == 2) {
    max_day = isLeapYear(year) ? 29 : 28;
  }
  if (day > max_day) {
    day = 1;
    if (++month > 12) {
      month = 1;
      ++year;
    }
  }
  if (year > 2037) year = 2037;
  if (year < 1970) year = 1970;
  if (day < 1) return std::nullopt;  // Time::Local refuses day 0

  int64_t seconds =
      utcSeconds(static_cast<int>(year), month, static_cast<int>(day), static_cast<int>(time.hour),
                 static_cast<int>(time.minute), static_cast<int>(time.second));
  const int64_t offset = ((zone[1] - '0') * 10 + (zone[2] - '0')) * 3600 +
                         ((zone[3] - '0') * 10 + (zone[4] - '0')) * 60;
  if (zone[0] == '-') {
    seconds += offset;
  } else if (seconds < offset) {
    seconds = 0;
  } else {
    seconds -= offset;
  }
  return seconds;
}

}  // namespace portcullis::content
