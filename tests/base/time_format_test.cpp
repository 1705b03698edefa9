#include "base/time_format.hpp"

#include <gtest/gtest.h>

namespace seshat::base {
namespace {

TEST(TimeFormat, Rfc3339UtcWithMilliseconds) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339(1'795'599'839'123), "2026-11-25T09:43:59.123Z");
  EXPECT_EQ(format_rfc3339(951'782'400'001), "2000-02-29T00:00:00.001Z");  // leap day
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339(253'402'300'799'999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339(1'000'000'000'010), "2001-09-09T01:46:40.010Z");
}

}  // namespace
}  // namespace seshat::base
