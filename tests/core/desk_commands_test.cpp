// The operator's desk commands that ask the app to read the store (!HISTORY, !INFO), canned
// replies (!SAY), and the User-Agent summary and visitor info text behind !INFO.

#include <gtest/gtest.h>

#include "core/texts.hpp"
#include "core/user_agent.hpp"
#include "harness.hpp"

namespace seshat::core::testing {
namespace {

using Lines = std::vector<std::string>;

class Desk : public ::testing::Test {
 protected:
  void SetUp() override {
    h.online(k_joe);
    h.open_chat(42, "ann");
    h.say(k_joe, "!ACCEPT 42");
    h.open_chat(43, "bob");
  }
  Actions say_replies(Replies replies) { return h.feed(RepliesLoaded{std::move(replies)}); }
  Harness h{BoardOptions{.max_chats = 2}};
};

TEST_F(Desk, HistoryOfAnyChatWithAPage) {
  EXPECT_EQ(describe(h.say(k_joe, "!HISTORY 42")),
            Lines{"> joe@example.com: history of #42 page 1"});
  EXPECT_EQ(describe(h.say(k_joe, "!history #7 3")),
            Lines{"> joe@example.com: history of #7 page 3"});
  for (const auto* bad : {"!HISTORY", "!HISTORY x", "!HISTORY 42 0", "!HISTORY 42 2 3"}) {
    EXPECT_EQ(describe(h.say(k_joe, bad)), Lines{"> joe@example.com: Usage: !HISTORY n [page]"})
        << bad;
  }
}

TEST_F(Desk, InfoOfTheCurrentChatOrAnyOther) {
  EXPECT_EQ(describe(h.say(k_joe, "!INFO")), Lines{"> joe@example.com: info on #42"});
  EXPECT_EQ(describe(h.say(k_joe, "!INFO 43")), Lines{"> joe@example.com: info on #43"});
  EXPECT_EQ(describe(h.say(k_bob, "!INFO")), Lines{"> bob@example.com: You are not in a chat."});
  EXPECT_EQ(describe(h.say(k_joe, "!INFO 4x")), Lines{"> joe@example.com: Usage: !INFO [n]"});
}

TEST_F(Desk, SayListsSendsAndRefuses) {
  EXPECT_EQ(to_operator(h.say(k_joe, "!SAY"), k_joe),
            Lines{"There are no canned replies (see the 'replies' setting)."});
  EXPECT_EQ(say_replies({{{"hello", "Hello! How can I help?"}, {"bye", "Goodbye.\nSee you."}}, ""}),
            Actions{});
  EXPECT_EQ(to_operator(h.say(k_joe, "!SAY"), k_joe),
            Lines{"Canned replies ('!SAY key' sends one to your current chat, '!SAY key n' to "
                  "chat n):\nbye: Goodbye. See you.\nhello: Hello! How can I help?"});
  EXPECT_EQ(describe(h.say(k_joe, "!SAY Hello")),
            (Lines{"< #42 operator: Hello! How can I help?",
                   "> joe@example.com #42: Sent the canned reply 'hello' to chat #42."}));
  EXPECT_EQ(describe(h.say(k_joe, "!SAY nope")),
            Lines{"> joe@example.com: There is no canned reply 'nope'. Send '!SAY' for the list."});
  EXPECT_EQ(describe(h.say(k_joe, "!SAY bye 43")),
            Lines{"> joe@example.com: You are not handling chat #43."});
  EXPECT_EQ(describe(h.say(k_joe, "!SAY bye four")),
            Lines{"> joe@example.com: Usage: !SAY [key [n]]"});
  EXPECT_EQ(describe(h.say(k_bob, "!SAY bye")), Lines{"> bob@example.com: You are not in a chat."});
  h.say(k_joe, "!ACCEPT 43");
  EXPECT_EQ(to_chat(h.say(k_joe, "!SAY bye 42"), 42), Lines{"operator: Goodbye.\nSee you."});
}

TEST_F(Desk, ABrokenRepliesFileIsOneClearLine) {
  say_replies({{}, "replies.ini:3: the reply 'x' is empty"});
  EXPECT_EQ(describe(h.say(k_joe, "!SAY hello")),
            Lines{"> joe@example.com: The canned replies cannot be used: replies.ini:3: the reply "
                  "'x' is empty"});
}

TEST_F(Desk, BlockEndsTheChatPolitely) {
  EXPECT_EQ(describe(h.say(k_joe, "!BLOCK 42")),
            (Lines{"> joe@example.com: block #42", "#42 open -> closed",
                   "> joe@example.com #42: The chat is now closed.",
                   "< #42 system: The chat is now closed."}));
  EXPECT_EQ(h.board.find(42), nullptr);
  // A request: canceled, the others who heard of it told.
  h.online(k_bob);
  EXPECT_EQ(describe(h.say(k_bob, "!BLOCK 43")),
            (Lines{"> bob@example.com: block #43", "#43 notified -> canceled",
                   "> joe@example.com #43: Chat #43 was canceled by bob@example.com.",
                   "< #43 system: The chat is now closed."}));
  // An ended chat: only the block; another operator's chat: refused.
  EXPECT_EQ(describe(h.say(k_joe, "!BLOCK 42")), Lines{"> joe@example.com: block #42"});
  h.open_chat(44);
  h.say(k_bob, "!ACCEPT 44");
  EXPECT_EQ(describe(h.say(k_joe, "!BLOCK 44")),
            Lines{"> joe@example.com: Chat #44 is already being handled by bob@example.com."});
  EXPECT_EQ(describe(h.say(k_joe, "!UNBLOCK 42")), Lines{"> joe@example.com: unblock #42"});
  EXPECT_EQ(describe(h.say(k_joe, "!UNBLOCK")), Lines{"> joe@example.com: Usage: !UNBLOCK n"});
}

TEST(UserAgent, CommonBrowsersAndSystems) {
  const auto check = [](std::string_view agent, std::string browser, std::string system) {
    const auto summary = summarize_user_agent(agent);
    EXPECT_EQ(summary.browser, browser) << agent;
    EXPECT_EQ(summary.system, system) << agent;
  };
  check("Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0", "Firefox 126",
        "Linux");
  check(
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/125.0.0.0 Safari/537.36 Edg/125.0.2535.67",
      "Edge 125", "Windows 10/11");
  check(
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
      "Gecko) Version/17.4 Safari/605.1.15",
      "Safari 17", "macOS");
  check(
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
      "like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
      "Safari 17", "iOS 17");
  check(
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/125.0.0.0 Mobile Safari/537.36",
      "Chrome 125", "Android 14");
  check("curl/8.5.0", "curl", "");
  check("", "", "");
}

TEST(VisitorInfoText, EverythingKnown) {
  texts::VisitorInfo info;
  info.chat = 42;
  info.name = "ann\u202e";
  info.email = "ann@example.com";
  info.page = "https://shop.example/orders";
  info.referrer = "https://search.example/";
  info.language = "de-AT";
  info.user_agent = "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0";
  info.utc_offset = -330;
  info.created_at = 1'764'500'000'000;  // 2025-11-30 10:53:20 UTC
  info.accepted_at = info.created_at + 150'000;
  info.has_visitor_id = true;
  info.earlier_count = 2;
  info.earlier = {{40, 1'764'400'000'000, ChatState::closed}};
  info.address = "203.0.113.9";
  EXPECT_EQ(texts::visitor_info(info, 1'764'500'400'000),
            "Chat #42 with 'ann':\nEmail: ann@example.com\nPage: https://shop.example/orders\n"
            "Referrer: https://search.example/\nLanguage: de-AT\nBrowser: Firefox 126 on Linux\n"
            "Local time: 05:30 (UTC-05:30)\nWaited: 2 min before an operator accepted\n"
            "Earlier chats from this browser: 2\n  #40 2025-11-29 07:06 UTC, closed ('!HISTORY "
            "40')\nAddress: 203.0.113.9");
}

TEST(VisitorInfoText, LittleKnown) {
  texts::VisitorInfo info;
  info.chat = 7;
  info.name = "x";
  info.created_at = 1'000;
  EXPECT_EQ(texts::visitor_info(info, 61'000),
            "Chat #7 with 'x':\nEmail: (none)\nPage: (none)\nReferrer: (none)\nLanguage: (none)\n"
            "Browser: (not known)\nLocal time: (not known)\nWaiting: 1 min\n"
            "Earlier chats from this browser: (not known)");
}

TEST(HistoryText, NewestFirstWithTheNextPage) {
  const std::vector<texts::HistoryLine> lines{
      {Author::operator_, "joe", "Hello", 3'600'000},
      {Author::visitor, "", "Hi\nthere", 60'000},
      {Author::system, "", "Your chat has started.", 0},
  };
  EXPECT_EQ(texts::history(42, "ann", lines, 1, 2),
            "Chat #42 with 'ann', page 1 of 2, newest first (times UTC); older lines: '!HISTORY "
            "42 2':\n01:00 joe: Hello\n00:01 'ann': Hi there\n00:00 (Your chat has started.)");
  EXPECT_EQ(texts::no_history_page(42, 3, 2), "Chat #42 has no page 3: it has 2 pages.");
  EXPECT_EQ(texts::no_history_page(42, 1, 0), "Chat #42 has no lines yet.");
}

}  // namespace
}  // namespace seshat::core::testing
