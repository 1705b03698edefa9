#include "base/histogram.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace seshat::base {
namespace {

using namespace std::chrono_literals;

TEST(Histogram, RendersOneLabelledSeries) {
  Histogram histogram;
  histogram.observe(500us);  // bucket 0.001
  histogram.observe(30ms);   // bucket 0.05
  std::ostringstream out;
  histogram.render(out, "x_seconds", "direction=\"up\"");
  const auto text = out.str();
  EXPECT_NE(text.find("x_seconds_bucket{direction=\"up\",le=\"0.001\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("x_seconds_bucket{direction=\"up\",le=\"0.025\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("x_seconds_bucket{direction=\"up\",le=\"0.05\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("x_seconds_bucket{direction=\"up\",le=\"+Inf\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("x_seconds_sum{direction=\"up\"} 0.0305\n"), std::string::npos);
  EXPECT_NE(text.find("x_seconds_count{direction=\"up\"} 2\n"), std::string::npos);
}

}  // namespace
}  // namespace seshat::base
