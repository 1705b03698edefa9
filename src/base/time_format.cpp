#include "base/time_format.hpp"

#include <chrono>
#include <cstdio>

namespace seshat::base {

std::string format_rfc3339(std::int64_t millis) {
  using namespace std::chrono;
  const sys_time<milliseconds> time{milliseconds(millis)};
  const auto day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss clock{time - day};
  char text[40];
  std::snprintf(
      text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(date.year()),
      static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
      static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
      static_cast<int>(clock.seconds().count()), static_cast<int>(clock.subseconds().count()));
  return text;
}

}  // namespace seshat::base
