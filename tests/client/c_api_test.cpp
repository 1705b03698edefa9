#include "seshat/client.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "temp_dir.hpp"

namespace {

struct Collected {
  std::vector<std::string> lines;
};

void collect(const seshat_message* message, void* userdata) {
  auto* collected = static_cast<Collected*>(userdata);
  collected->lines.push_back(std::to_string(message->seq) + " " + message->from + ": " +
                             message->text + " @" + std::to_string(message->at_ms > 0) +
                             std::string(message->at).substr(10, 1));
}

class CApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(seshat_client_new(m_db.file("seshat.db").c_str(), &m_client), SESHAT_OK)
        << seshat_last_error(m_client);
  }
  void TearDown() override { seshat_client_free(m_client); }

  seshat::testing::TempDir m_db;
  seshat_client* m_client = nullptr;
};

TEST_F(CApiTest, StartSendFetchEnd) {
  int64_t id = 0;
  char token[SESHAT_TOKEN_SIZE];
  ASSERT_EQ(seshat_start_chat(m_client, "customer", "Hi!", nullptr, &id, token, sizeof token),
            SESHAT_OK);
  EXPECT_GT(id, 0);
  EXPECT_EQ(std::string(token).size(), 43u);
  int64_t seq = 0;
  ASSERT_EQ(seshat_send(m_client, id, token, "<b>not bold</b>", &seq), SESHAT_OK);
  EXPECT_EQ(seq, 2);

  Collected collected;
  int status = -1;
  ASSERT_EQ(seshat_fetch(m_client, id, token, 0, 0, collect, &collected, &status), SESHAT_OK);
  EXPECT_EQ(status, SESHAT_STATUS_WAITING);
  EXPECT_EQ(collected.lines,
            (std::vector<std::string>{"1 visitor: Hi! @1T", "2 visitor: <b>not bold</b> @1T"}));

  ASSERT_EQ(seshat_end(m_client, id, token), SESHAT_OK);
  collected.lines.clear();
  ASSERT_EQ(seshat_fetch(m_client, id, token, 2, 1000, collect, &collected, &status), SESHAT_OK);
  EXPECT_EQ(status, SESHAT_STATUS_CLOSED);
  EXPECT_EQ(collected.lines, (std::vector<std::string>{"3 system: The chat is now closed. @1T"}));
  EXPECT_STREQ(seshat_last_error(m_client), "");
}

TEST_F(CApiTest, ErrorsAreCodesWithAMessage) {
  int64_t id = 0;
  char token[SESHAT_TOKEN_SIZE];
  ASSERT_EQ(seshat_start_chat(m_client, "customer", nullptr, nullptr, &id, token, sizeof token),
            SESHAT_OK);
  EXPECT_EQ(seshat_send(m_client, id, "wrong", "Hi", nullptr), SESHAT_ERR_WRONG_TOKEN);
  EXPECT_STREQ(seshat_last_error(m_client), "The chat token is not valid for this chat.");
  EXPECT_EQ(seshat_send(m_client, id, nullptr, "Hi", nullptr), SESHAT_ERR_MISSING_TOKEN);
  EXPECT_EQ(seshat_send(m_client, id + 100, token, "Hi", nullptr), SESHAT_ERR_NO_SUCH_CHAT);
  EXPECT_EQ(seshat_send(m_client, id, token, "", nullptr), SESHAT_ERR_BAD_REQUEST);
  EXPECT_EQ(seshat_send(m_client, id, token, nullptr, nullptr), SESHAT_ERR_BAD_REQUEST);
  EXPECT_STREQ(seshat_last_error(m_client), "The argument 'text' must not be NULL.");
  EXPECT_EQ(seshat_start_chat(m_client, nullptr, nullptr, nullptr, &id, token, sizeof token),
            SESHAT_ERR_BAD_REQUEST);
  EXPECT_EQ(seshat_start_chat(m_client, "x", nullptr, nullptr, &id, token, 10),
            SESHAT_ERR_BAD_REQUEST);
  EXPECT_EQ(seshat_fetch(m_client, id, token, 0, 0, nullptr, nullptr, nullptr),
            SESHAT_ERR_BAD_REQUEST);
  EXPECT_EQ(seshat_end(m_client, id, token), SESHAT_OK);
  EXPECT_EQ(seshat_end(m_client, id, token), SESHAT_ERR_CHAT_CLOSED);
  EXPECT_STREQ(seshat_last_error(m_client), "This chat is closed.");
  EXPECT_EQ(seshat_send(nullptr, id, token, "Hi", nullptr), SESHAT_ERR_BAD_REQUEST);
  EXPECT_STREQ(seshat_result_name(SESHAT_ERR_TOO_MANY), "SESHAT_ERR_TOO_MANY");
  EXPECT_STREQ(seshat_result_name(42), "SESHAT_ERR_UNKNOWN");
}

TEST_F(CApiTest, Availability) {
  int available = -1;
  int operators = -1;
  ASSERT_EQ(seshat_availability(m_client, &available, &operators), SESHAT_OK);
  EXPECT_EQ(available, 0);
  EXPECT_EQ(operators, 0);
}

TEST(CApiOpen, FailureLeavesAHandleThatSaysWhy) {
  seshat::testing::TempDir db;
  const auto path = (db.path() / "missing" / "seshat.db").string();
  seshat_client* client = nullptr;
  EXPECT_EQ(seshat_client_new(path.c_str(), &client), SESHAT_ERR_UNAVAILABLE);
  ASSERT_NE(client, nullptr);
  EXPECT_NE(std::string(seshat_last_error(client)).find("Cannot open the chat database"),
            std::string::npos);
  int available = 0;
  EXPECT_EQ(seshat_availability(client, &available, nullptr), SESHAT_ERR_UNAVAILABLE);
  seshat_client_free(client);
  seshat_client_free(nullptr);
}

TEST_F(CApiTest, StartWithEmailChecksTheAddress) {
  int64_t id = 0;
  char token[SESHAT_TOKEN_SIZE];
  EXPECT_EQ(seshat_start_chat_email(m_client, "customer", nullptr, nullptr, "ann@shop.example", &id,
                                    token, sizeof token),
            SESHAT_OK);
  EXPECT_GT(id, 0);
  EXPECT_EQ(seshat_start_chat_email(m_client, "customer", nullptr, nullptr, "ann at shop", &id,
                                    token, sizeof token),
            SESHAT_ERR_BAD_REQUEST);
  EXPECT_STREQ(seshat_last_error(m_client), "The email address must not contain spaces.");
}

}  // namespace
