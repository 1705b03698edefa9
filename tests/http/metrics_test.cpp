#include "http/metrics.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace seshat::http {
namespace {

using namespace std::chrono_literals;

TEST(Metrics, RendersPrometheusText) {
  Metrics metrics;
  metrics.requests = 5;
  metrics.count_response(201);
  metrics.count_response(404);
  metrics.count_response(503);
  metrics.event_streams = 2;
  metrics.observe_duration(2ms);  // bucket 0.0025
  metrics.observe_duration(20s);  // +Inf
  const auto text = render_prometheus(metrics);
  EXPECT_NE(text.find("# TYPE seshat_http_requests_total counter\nseshat_http_requests_total 5\n"),
            std::string::npos);
  EXPECT_NE(text.find("seshat_http_responses_total{code=\"2xx\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("seshat_http_responses_total{code=\"4xx\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("seshat_http_responses_total{code=\"5xx\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("seshat_http_event_streams 2\n"), std::string::npos);
  EXPECT_NE(text.find("seshat_http_request_duration_seconds_bucket{le=\"0.001\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("seshat_http_request_duration_seconds_bucket{le=\"0.0025\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("seshat_http_request_duration_seconds_bucket{le=\"5\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("seshat_http_request_duration_seconds_bucket{le=\"+Inf\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("seshat_http_request_duration_seconds_count 2\n"), std::string::npos);
  EXPECT_NE(text.find("seshat_http_request_duration_seconds_sum 20.002\n"), std::string::npos);
}

}  // namespace
}  // namespace seshat::http
