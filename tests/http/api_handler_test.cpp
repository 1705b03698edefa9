// The API calls that answer at once, without a socket: a request's parts in, the job run on a
// real Visitors (SQLite in a temp dir), the status and JSON out, as the Session would write them.
#include "http/api_handler.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include "http/api_json.hpp"
#include "store/change_feed.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

namespace seshat::http {
namespace {

using nlohmann::json;

class ApiHandlerTest : public ::testing::Test {
 protected:
  // The answer to one request, or its failure's HTTP status and sentence.
  struct Reply {
    int status = 0;
    std::string body;
  };

  Reply call(Endpoint endpoint, Method method, std::string_view body = {}, core::ChatId chat = 0,
             std::string_view token = {}, std::string_view referer = {}) {
    auto job =
        prepare_api_call(ApiRequest{endpoint, method, chat, body, token, referer, "192.0.2.0/24"});
    if (!job) return {status_of(job.failure().code), job.failure().message};
    auto answer = job.value()(m_visitors);
    if (!answer) return {status_of(answer.failure().code), answer.failure().message};
    return {answer->status, answer->body};
  }

  // A started chat's id and token.
  std::pair<core::ChatId, std::string> start(std::string_view body = R"({"name":"Ann"})") {
    const auto reply = call(Endpoint::create_chat, Method::post, body);
    EXPECT_EQ(reply.status, 201) << reply.body;
    const auto ticket = json::parse(reply.body);
    return {ticket.at("id").get<core::ChatId>(), ticket.at("token").get<std::string>()};
  }

  testing::TempDir m_dir;
  std::unique_ptr<store::Store> m_store = store::open_sqlite_store(m_dir.file("seshat.db"));
  store::ChangeFeed m_feed;
  visitors::Visitors m_visitors{*m_store, &m_feed};
};

TEST_F(ApiHandlerTest, StartSendCloseWithTheirStatusesAndBodies) {
  const auto [chat, token] = start();
  EXPECT_EQ(token.size(), 43u);
  const auto sent = call(Endpoint::messages, Method::post, R"({"text":"Hi!"})", chat, token);
  EXPECT_EQ(sent.status, 202);
  EXPECT_EQ(json::parse(sent.body), json::parse(R"({"seq":1})"));
  const auto closed = call(Endpoint::close_chat, Method::post, "", chat, token);
  EXPECT_EQ(closed.status, 200);
  EXPECT_EQ(closed.body, R"({"status":"closed"})");
  const auto again = call(Endpoint::messages, Method::post, R"({"text":"Hi?"})", chat, token);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.body, "This chat is closed.");
}

TEST_F(ApiHandlerTest, BadBodiesAreRefusedBeforeAnyJob) {
  EXPECT_EQ(call(Endpoint::create_chat, Method::post, "{").status, 400);
  const auto no_name = call(Endpoint::create_chat, Method::post, R"({"message":"x"})");
  EXPECT_EQ(no_name.status, 400);
  EXPECT_EQ(no_name.body, "The field 'name' is required.");
  EXPECT_EQ(call(Endpoint::typing, Method::post, R"({"typing":"yes"})", 1, "t").body,
            "The field 'typing' must be true or false.");
  EXPECT_TRUE(m_store->live_chats().empty()) << "nothing was stored";
}

TEST_F(ApiHandlerTest, TokensAreChecked) {
  const auto [chat, token] = start();
  EXPECT_EQ(call(Endpoint::close_chat, Method::post, "", chat, "").status, 401);
  EXPECT_EQ(call(Endpoint::close_chat, Method::post, "", chat, "not-the-token").status, 403);
  EXPECT_EQ(call(Endpoint::close_chat, Method::post, "", chat + 1, token).status, 404);
}

TEST_F(ApiHandlerTest, TypingAndReadAnswer204WithoutABody) {
  const auto [chat, token] = start();
  const auto typing = call(Endpoint::typing, Method::post, R"({"typing":true})", chat, token);
  EXPECT_EQ(typing.status, 204);
  EXPECT_EQ(typing.body, "");
  ASSERT_EQ(call(Endpoint::messages, Method::post, R"({"text":"Hi!"})", chat, token).status, 202);
  const auto read = call(Endpoint::mark_read, Method::post, R"({"seq":1})", chat, token);
  EXPECT_EQ(read.status, 204);
  EXPECT_EQ(read.body, "");
  EXPECT_EQ(call(Endpoint::mark_read, Method::post, R"({"seq":99})", chat, token).status, 400);
}

TEST_F(ApiHandlerTest, ThePageFallsBackToTheRefererWithoutQueryOrFragment) {
  const auto reply = call(Endpoint::create_chat, Method::post, R"({"name":"Ann"})", 0, {},
                          "https://shop.example.com/cart?session=secret#top");
  ASSERT_EQ(reply.status, 201);
  const auto id = json::parse(reply.body).at("id").get<core::ChatId>();
  EXPECT_EQ(m_store->find_chat(id)->chat.page, "https://shop.example.com/cart");
}

TEST_F(ApiHandlerTest, AvailabilityAndWhatItHandles) {
  const auto reply = call(Endpoint::availability, Method::get);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(json::parse(reply.body),
            json::parse(R"({"available":false,"operators":0,"free":0,"mail":false})"));
  EXPECT_TRUE(answers_at_once(Endpoint::messages, Method::post));
  EXPECT_FALSE(answers_at_once(Endpoint::messages, Method::get)) << "a read may wait";
  EXPECT_FALSE(answers_at_once(Endpoint::events, Method::get));
}

}  // namespace
}  // namespace seshat::http
