// The one error table (base/error.hpp) against the public headers it must agree with: the C
// API's SESHAT_ERR_* numbers and names, and seshat::ErrorCode, which the library converts by value.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/error.hpp"
#include "seshat/client.h"
#include "seshat/client.hpp"

namespace seshat {
namespace {

struct PublicError {
  base::Error error;
  ErrorCode code;
  int c_code;
  const char* c_name;
};

// Spelled out once more on purpose: the public headers are a contract the table must follow.
const std::vector<PublicError> k_public{
    {base::Error::bad_request, ErrorCode::bad_request, SESHAT_ERR_BAD_REQUEST,
     "SESHAT_ERR_BAD_REQUEST"},
    {base::Error::missing_token, ErrorCode::missing_token, SESHAT_ERR_MISSING_TOKEN,
     "SESHAT_ERR_MISSING_TOKEN"},
    {base::Error::wrong_token, ErrorCode::wrong_token, SESHAT_ERR_WRONG_TOKEN,
     "SESHAT_ERR_WRONG_TOKEN"},
    {base::Error::no_such_chat, ErrorCode::no_such_chat, SESHAT_ERR_NO_SUCH_CHAT,
     "SESHAT_ERR_NO_SUCH_CHAT"},
    {base::Error::chat_closed, ErrorCode::chat_closed, SESHAT_ERR_CHAT_CLOSED,
     "SESHAT_ERR_CHAT_CLOSED"},
    {base::Error::too_large, ErrorCode::too_large, SESHAT_ERR_TOO_LARGE, "SESHAT_ERR_TOO_LARGE"},
    {base::Error::too_many, ErrorCode::too_many, SESHAT_ERR_TOO_MANY, "SESHAT_ERR_TOO_MANY"},
    {base::Error::unavailable, ErrorCode::unavailable, SESHAT_ERR_UNAVAILABLE,
     "SESHAT_ERR_UNAVAILABLE"},
};

TEST(ErrorTable, HasEveryPublicErrorWithItsCodes) {
  ASSERT_EQ(base::k_errors.size(), k_public.size());
  for (const auto& expected : k_public) {
    const auto& row = base::info(expected.error);
    EXPECT_EQ(row.error, expected.error);
    EXPECT_EQ(static_cast<int>(expected.code), static_cast<int>(expected.error)) << row.name;
    EXPECT_EQ(row.c_code, expected.c_code) << row.name;
    EXPECT_EQ(row.c_name, expected.c_name);
    EXPECT_STREQ(seshat_result_name(expected.c_code), expected.c_name);
    EXPECT_FALSE(row.message.empty()) << row.name;
  }
}

TEST(ErrorTable, FailureCarriesTheTablesSentence) {
  const auto failure = base::failure(base::Error::no_such_chat);
  EXPECT_EQ(failure.code, base::Error::no_such_chat);
  EXPECT_EQ(failure.message, "There is no such chat.");
  EXPECT_EQ(base::to_string(base::Error::too_many), "too_many");
}

}  // namespace
}  // namespace seshat
