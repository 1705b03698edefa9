// The chat life cycle as data (core/chat_machine.hpp): what the table allows, and the exact
// words of a refusal (as Prosody's spec/util_fsm_spec.lua tests its rejections).
#include "core/chat_machine.hpp"

#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "core/switchboard.hpp"

namespace seshat::core {
namespace {

constexpr std::array k_all{ChatState::waiting,  ChatState::notified, ChatState::open,
                           ChatState::closed,   ChatState::canceled, ChatState::failed,
                           ChatState::abandoned};

TEST(ChatMachine, AllowsExactlyTheLifeCycle) {
  const std::set<std::pair<ChatState, ChatState>> expected{
      {ChatState::waiting, ChatState::notified},  {ChatState::notified, ChatState::waiting},
      {ChatState::waiting, ChatState::open},      {ChatState::notified, ChatState::open},
      {ChatState::open, ChatState::open},         {ChatState::waiting, ChatState::canceled},
      {ChatState::notified, ChatState::canceled}, {ChatState::open, ChatState::waiting},
      {ChatState::open, ChatState::notified},     {ChatState::waiting, ChatState::closed},
      {ChatState::notified, ChatState::closed},   {ChatState::open, ChatState::closed},
      {ChatState::waiting, ChatState::abandoned}, {ChatState::notified, ChatState::abandoned},
      {ChatState::open, ChatState::abandoned},    {ChatState::waiting, ChatState::failed},
      {ChatState::notified, ChatState::failed},   {ChatState::open, ChatState::failed},
  };
  for (const auto from : k_all) {
    for (const auto to : k_all) {
      EXPECT_EQ(is_allowed(from, to), expected.count({from, to}) == 1)
          << to_string(from) << " -> " << to_string(to);
    }
  }
}

TEST(ChatMachine, NamesEachMove) {
  EXPECT_EQ(find_transition(ChatState::notified, ChatState::open)->name, "accept");
  EXPECT_EQ(find_transition(ChatState::open, ChatState::closed)->name, "close");
  EXPECT_EQ(find_transition(ChatState::open, ChatState::notified)->name, "requeue");
  EXPECT_FALSE(find_transition(ChatState::canceled, ChatState::waiting));
}

TEST(ChatMachine, FinalStatesHaveNoWayOut) {
  for (const auto from : k_all) {
    if (!is_final(from)) continue;
    for (const auto to : k_all) EXPECT_FALSE(is_allowed(from, to)) << to_string(from);
  }
}

TEST(ChatMachine, EveryLiveStateCanEnd) {
  // The visitor may close, vanish or be given up on whatever the live state: the store's
  // close of a live chat (any live state -> closed) stays inside the table.
  for (const auto from : k_all) {
    if (is_final(from)) continue;
    for (const auto to : {ChatState::closed, ChatState::abandoned, ChatState::failed})
      EXPECT_TRUE(is_allowed(from, to)) << to_string(from) << " -> " << to_string(to);
  }
}

TEST(ChatMachine, RefusalsSayWhy) {
  EXPECT_EQ(refuse_transition(42, ChatState::waiting, ChatState::open), std::nullopt);
  EXPECT_EQ(refuse_transition(42, ChatState::closed, ChatState::open),
            "chat 42 cannot go from closed to open: closed is final");
  EXPECT_EQ(refuse_transition(7, ChatState::waiting, ChatState::waiting),
            "chat 7 cannot go from waiting to waiting: no such transition");
  EXPECT_EQ(refuse_transition(3, ChatState::notified, ChatState::notified),
            "chat 3 cannot go from notified to notified: no such transition");
}

TEST(ChatMachine, EverySetStateTheSwitchboardDecidesIsInTheTable) {
  // A whole chat through the switchboard: each move it decides is one the table allows
  // (else handle() would have answered Ignore with the refusal).
  Switchboard board({"joe@example.com"});
  auto run = [&board](const Event& event) {
    auto actions = board.handle(event);
    for (const auto& action : actions) {
      EXPECT_FALSE(std::holds_alternative<Ignore>(action)) << std::get<Ignore>(action).reason;
      if (const auto* change = std::get_if<SetState>(&action)) {
        EXPECT_TRUE(is_allowed(change->from, change->to));
      }
    }
    board.commit(event, actions);
  };
  run(PresenceChanged{"joe@example.com/laptop", Show::available, 0});
  Chat chat;
  chat.id = 1;
  chat.visitor_name = "Ann";
  run(ChatOpened{chat});
  run(OperatorMessage{"joe@example.com/laptop", "!ACCEPT 1"});
  run(OperatorMessage{"joe@example.com/laptop", "!FINISH"});
}

}  // namespace
}  // namespace seshat::core
