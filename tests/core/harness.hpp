#pragma once
// A switchboard driven the way the broker drives it (handle, then commit), with helpers that
// turn actions into readable one-line strings so tests read like transcripts:
//   "> joe@example.com #42: text"   sent to an operator (about chat 42; no "#n" when about none)
//   "< #42 system: text"            posted to the chat's log, which the visitor reads
//   "#42 waiting -> notified"       a state change (plus " joe@example.com" when it opens)

#include <string>
#include <string_view>
#include <vector>

#include "core/switchboard.hpp"

namespace seshat::core::testing {

inline constexpr std::string_view k_joe = "joe@example.com";
inline constexpr std::string_view k_bob = "bob@example.com";
inline constexpr std::string_view k_ann = "ann@example.com";

std::string describe(const Action& action);
// One line per action, leaving out who heard of what and who is free (Offered,
// SetOperatorFree); describe_all shows them.
std::vector<std::string> describe(const Actions& actions);
std::vector<std::string> describe_all(const Actions& actions);
// The texts of the SendToOperator actions for `jid`, in order.
std::vector<std::string> to_operator(const Actions& actions, std::string_view jid);
// The texts of the PostToChat actions, in order, as "system: text" / "operator: text".
std::vector<std::string> to_chat(const Actions& actions, ChatId chat);

class Harness {
 public:
  explicit Harness(int max_chats = 1);  // operators joe, bob and ann, nobody online, no chats
  explicit Harness(BoardOptions options);

  // handle() then commit(), as the broker does once the store accepted the batch.
  Actions feed(const Event& event);

  Actions online(std::string_view jid, std::string_view resource = "laptop",
                 Show show = Show::available, int priority = 0);
  Actions offline(std::string_view jid, std::string_view resource = "laptop");
  Actions open_chat(ChatId id, std::string name = "customer", std::string opening = "",
                    std::string page = "", std::string email = "");
  Actions say(std::string_view jid, std::string text, std::string_view resource = "laptop");
  Actions visitor(ChatId chat, Seq seq, std::string text);

  Switchboard board;
};

}  // namespace seshat::core::testing
