// The seed's example session, word for word, at the core level: events in, texts out.
// ">" lines are what the operator receives, "<" lines what the visitor's page shows.

#include <gtest/gtest.h>

#include "harness.hpp"

namespace seshat::core::testing {
namespace {

using Lines = std::vector<std::string>;

TEST(SeedSession, RunsWordForWord) {
  Harness h;
  h.online(k_joe);

  // Visitor clicks a link to start a chat
  auto actions = h.open_chat(42, "customer");
  EXPECT_EQ(to_operator(actions, k_joe),
            Lines{"Remote user 'customer' wants to start a conversation. To accept this request, "
                  "reply with the message '!ACCEPT 42'."});
  EXPECT_EQ(to_chat(actions, 42), Lines{});

  // User types: !ACCEPT 42
  actions = h.say(k_joe, "!ACCEPT 42");
  EXPECT_EQ(to_operator(actions, k_joe),
            Lines{"You are now handling chat #42. Send '!FINISH' when you are done."});
  EXPECT_EQ(to_chat(actions, 42), Lines{"system: Your chat has started."});

  // Visitor types: Hi!
  actions = h.visitor(42, 1, "Hi!");
  EXPECT_EQ(to_operator(actions, k_joe), Lines{"Hi!"});

  // User types: Hello, customer.
  actions = h.say(k_joe, "Hello, customer.");
  EXPECT_EQ(to_chat(actions, 42), Lines{"operator: Hello, customer."});
  EXPECT_EQ(to_operator(actions, k_joe), Lines{});

  // Visitor types: Talk to you later!
  actions = h.visitor(42, 2, "Talk to you later!");
  EXPECT_EQ(to_operator(actions, k_joe), Lines{"Talk to you later!"});

  // User types: !FINISH
  actions = h.say(k_joe, "!FINISH");
  EXPECT_EQ(to_operator(actions, k_joe), Lines{"The chat is now closed."});
  EXPECT_EQ(to_chat(actions, 42), Lines{"system: The chat is now closed."});
  EXPECT_EQ(h.board.find(42), nullptr);
}

// The same session, every action checked: states, relay marks, the backlog.
TEST(SeedSession, ProducesExactlyTheseActions) {
  Harness h;
  EXPECT_EQ(describe(h.online(k_joe)), Lines{"joe@example.com available"});
  EXPECT_EQ(describe(h.open_chat(42)),
            (Lines{"#42 waiting -> notified",
                   "> joe@example.com #42: Remote user 'customer' wants to start a conversation. "
                   "To accept this request, reply with the message '!ACCEPT 42'."}));
  EXPECT_EQ(describe(h.say(k_joe, "!accept 42")),
            (Lines{"#42 notified -> open joe@example.com",
                   "> joe@example.com #42: You are now handling chat #42. Send '!FINISH' when you "
                   "are done.",
                   "< #42 system: Your chat has started.", "backlog #42 to joe@example.com",
                   "#42 operator named joe"}));
  EXPECT_EQ(describe(h.visitor(42, 1, "Hi!")),
            (Lines{"> joe@example.com #42: Hi!", "relayed #42 up to 1"}));
  EXPECT_EQ(describe(h.say(k_joe, "Hello, customer.")), Lines{"< #42 operator: Hello, customer."});
  EXPECT_EQ(describe(h.visitor(42, 2, "Talk to you later!")),
            (Lines{"> joe@example.com #42: Talk to you later!", "relayed #42 up to 2"}));
  EXPECT_EQ(describe(h.say(k_joe, "!Finish")),
            (Lines{"#42 open -> closed", "> joe@example.com #42: The chat is now closed.",
                   "< #42 system: The chat is now closed."}));
}

}  // namespace
}  // namespace seshat::core::testing
