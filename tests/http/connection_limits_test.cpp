#include "http/connection_limits.hpp"

#include <gtest/gtest.h>

namespace seshat::http {
namespace {

TEST(ConnectionLimits, PerAddressThenReserveThenRefused) {
  ConnectionLimits limits(
      {.max_connections = 10, .max_per_address = 2, .max_streams_per_chat = 8, .reserve = 2});
  EXPECT_EQ(limits.admit("10.0.0.1"), Admission::normal);
  EXPECT_EQ(limits.admit("10.0.0.1"), Admission::normal);
  EXPECT_EQ(limits.admit("10.0.0.1"), Admission::reserve_per_address)
      << "over its address's cap: only health is answered";
  EXPECT_EQ(limits.admit("10.0.0.2"), Admission::normal) << "other addresses are not affected";
  EXPECT_EQ(limits.admit("10.0.0.1"), Admission::reserve_per_address);
  EXPECT_EQ(limits.admit("10.0.0.1"), Admission::refused_per_address) << "the reserve is full";
  limits.release("10.0.0.1", Admission::reserve_per_address);
  EXPECT_EQ(limits.reserved(), 1U);
  limits.release("10.0.0.1", Admission::normal);
  EXPECT_EQ(limits.admit("10.0.0.1"), Admission::normal) << "a released slot is free again";
}

TEST(ConnectionLimits, TotalCapKeepsAReserve) {
  ConnectionLimits limits(
      {.max_connections = 5, .max_per_address = 0, .max_streams_per_chat = 0, .reserve = 2});
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(limits.admit("10.0.0." + std::to_string(i)), Admission::normal);
  EXPECT_EQ(limits.admit("10.0.1.1"), Admission::reserve_full);
  EXPECT_EQ(limits.admit("10.0.1.2"), Admission::reserve_full);
  EXPECT_EQ(limits.admit("10.0.1.3"), Admission::refused_full);
  EXPECT_EQ(limits.normal(), 3U);
  EXPECT_EQ(limits.reserved(), 2U);
}

TEST(ConnectionLimits, StreamsPerChat) {
  ConnectionLimits limits(
      {.max_connections = 100, .max_per_address = 0, .max_streams_per_chat = 2, .reserve = 2});
  EXPECT_TRUE(limits.take_stream(7));
  EXPECT_TRUE(limits.take_stream(7));
  EXPECT_FALSE(limits.take_stream(7));
  EXPECT_TRUE(limits.take_stream(8)) << "counted per chat";
  limits.release_stream(7);
  EXPECT_TRUE(limits.take_stream(7));
}

}  // namespace
}  // namespace seshat::http
