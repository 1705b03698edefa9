#include "http/routes.hpp"

#include <gtest/gtest.h>

namespace seshat::http {
namespace {

TEST(Routes, ApiPathsUnderThePrefix) {
  EXPECT_EQ(route("/seshat/api/chats", "/seshat").endpoint, Endpoint::create_chat);
  EXPECT_EQ(route("/seshat/api/availability", "/seshat").endpoint, Endpoint::availability);
  EXPECT_EQ(route("/seshat/api/openapi.json", "/seshat").endpoint, Endpoint::openapi);
  const auto messages = route("/seshat/api/chats/42/messages?after=3&wait=10", "/seshat");
  EXPECT_EQ(messages.endpoint, Endpoint::messages);
  EXPECT_EQ(messages.chat, 42);
  EXPECT_EQ(messages.query, "after=3&wait=10");
  EXPECT_EQ(route("/seshat/api/chats/7/events", "/seshat").endpoint, Endpoint::events);
  EXPECT_EQ(route("/seshat/api/chats/7/close", "/seshat").endpoint, Endpoint::close_chat);
  EXPECT_EQ(route("/seshat/api/chats/7/typing", "/seshat").endpoint, Endpoint::typing);
  EXPECT_EQ(route("/seshat/api/chats/7/read", "/seshat").endpoint, Endpoint::mark_read);
  EXPECT_TRUE(needs_token(Endpoint::typing));
  EXPECT_TRUE(needs_token(Endpoint::mark_read));
  EXPECT_EQ(allowed_methods(Endpoint::mark_read), "POST, OPTIONS");
}

TEST(Routes, WidgetFilesAndDemoPage) {
  EXPECT_EQ(route("/seshat/widget.js", "/seshat").endpoint, Endpoint::widget_js);
  EXPECT_EQ(route("/seshat/widget.css?v=2", "/seshat").endpoint, Endpoint::widget_css);
  EXPECT_EQ(route("/seshat/", "/seshat").endpoint, Endpoint::demo_page);
  EXPECT_EQ(route("/seshat", "/seshat").endpoint, Endpoint::demo_redirect);
  EXPECT_EQ(route("/healthz", "/seshat").endpoint, Endpoint::healthz);
  EXPECT_EQ(route("/metrics", "/seshat").endpoint, Endpoint::metrics);
}

TEST(Routes, OtherPrefixes) {
  EXPECT_EQ(route("/chat/api/chats", "/chat").endpoint, Endpoint::create_chat);
  EXPECT_EQ(route("/seshat/api/chats", "/chat").endpoint, Endpoint::not_found);
  EXPECT_EQ(route("/api/chats/1/messages", "").endpoint, Endpoint::messages);
  EXPECT_EQ(route("/", "").endpoint, Endpoint::demo_page);
  EXPECT_EQ(normalize_prefix("/seshat/"), "/seshat");
  EXPECT_EQ(normalize_prefix("seshat"), "/seshat");
  EXPECT_EQ(normalize_prefix("/"), "");
}

TEST(Routes, ChatIdsArePositiveIntegers) {
  for (const char* target :
       {"/seshat/api/chats/0/messages", "/seshat/api/chats/-1/messages",
        "/seshat/api/chats/01/messages", "/seshat/api/chats/+1/messages",
        "/seshat/api/chats/1x/messages", "/seshat/api/chats//messages",
        "/seshat/api/chats/99999999999999999999/messages", "/seshat/api/chats/1/messages/",
        "/seshat/api/chats/1", "/seshat/api/chats/1/other", "/seshat/apichats",
        "/seshat/widget.jsx", "/seshatx/", "/elsewhere"}) {
    EXPECT_EQ(route(target, "/seshat").endpoint, Endpoint::not_found) << target;
  }
  EXPECT_EQ(parse_chat_id("9223372036854775807"), 9223372036854775807);
  EXPECT_EQ(parse_chat_id("9223372036854775808"), 0);
}

TEST(Routes, MethodsPerEndpoint) {
  EXPECT_TRUE(method_allowed(Endpoint::create_chat, Method::post));
  EXPECT_FALSE(method_allowed(Endpoint::create_chat, Method::get));
  EXPECT_TRUE(method_allowed(Endpoint::messages, Method::get));
  EXPECT_TRUE(method_allowed(Endpoint::messages, Method::post));
  EXPECT_FALSE(method_allowed(Endpoint::messages, Method::other));
  EXPECT_FALSE(method_allowed(Endpoint::events, Method::post));
  EXPECT_TRUE(method_allowed(Endpoint::widget_js, Method::head));
  EXPECT_FALSE(method_allowed(Endpoint::widget_js, Method::post));
  EXPECT_EQ(allowed_methods(Endpoint::close_chat), "POST, OPTIONS");
  EXPECT_EQ(method_from_string("DELETE"), Method::other);
  EXPECT_TRUE(is_api(Endpoint::events));
  EXPECT_FALSE(is_api(Endpoint::widget_css));
}

TEST(Routes, TranscriptIsAPostOnOneChatWithItsToken) {
  const auto transcript = route("/seshat/api/chats/42/transcript", "/seshat");
  EXPECT_EQ(transcript.endpoint, Endpoint::transcript);
  EXPECT_EQ(transcript.chat, 42);
  EXPECT_TRUE(method_allowed(Endpoint::transcript, Method::post));
  EXPECT_FALSE(method_allowed(Endpoint::transcript, Method::get));
  EXPECT_EQ(allowed_methods(Endpoint::transcript), "POST, OPTIONS");
  EXPECT_TRUE(is_api(Endpoint::transcript));
  EXPECT_TRUE(needs_token(Endpoint::transcript));
  EXPECT_EQ(route("/seshat/api/chats/42/transcripts", "/seshat").endpoint, Endpoint::not_found);
}

}  // namespace
}  // namespace seshat::http
