#include "http/sse.hpp"

#include <gtest/gtest.h>

namespace seshat::http {
namespace {

TEST(Sse, EventsAreSingleDataLines) {
  EXPECT_EQ(sse_retry(3000), "retry: 3000\n\n");
  EXPECT_EQ(sse_status(core::VisitorStatus::open),
            "event: status\ndata: {\"status\":\"open\"}\n\n");
  EXPECT_EQ(sse_ping(), ": ping\n\n");
  const store::Message message{12, core::Author::visitor, "two\nlines\r\n", 0};
  EXPECT_EQ(sse_message(message),
            "id: 12\ndata: {\"at\":\"1970-01-01T00:00:00.000Z\",\"from\":\"visitor\",\"seq\":12,"
            "\"text\":\"two\\nlines\\r\\n\"}\n\n");
}

}  // namespace
}  // namespace seshat::http
