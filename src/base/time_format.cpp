#include "base/time_format.hpp"

#include <chrono>

namespace seshat::base {

namespace {

// `value`'s last `width` decimal digits at `out`.
char* digits(char* out, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + width;
}

}  // namespace

std::string format_rfc3339(std::int64_t millis) {
  using namespace std::chrono;
  const sys_time<milliseconds> time{milliseconds(millis)};
  const auto day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss clock{time - day};
  const int year = static_cast<int>(date.year());
  if (year < 0 || year > 9999) return "0000-01-01T00:00:00.000Z";  // no such time is stored
  // Written digit by digit: every message on every stream has one, and snprintf was most of it.
  std::string text(24, '\0');
  char* out = digits(text.data(), static_cast<unsigned>(year), 4);
  *out++ = '-';
  out = digits(out, static_cast<unsigned>(date.month()), 2);
  *out++ = '-';
  out = digits(out, static_cast<unsigned>(date.day()), 2);
  *out++ = 'T';
  out = digits(out, static_cast<unsigned>(clock.hours().count()), 2);
  *out++ = ':';
  out = digits(out, static_cast<unsigned>(clock.minutes().count()), 2);
  *out++ = ':';
  out = digits(out, static_cast<unsigned>(clock.seconds().count()), 2);
  *out++ = '.';
  out = digits(out, static_cast<unsigned>(clock.subseconds().count()), 3);
  *out = 'Z';
  return text;
}

}  // namespace seshat::base
