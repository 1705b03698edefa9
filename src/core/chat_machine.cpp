#include "core/chat_machine.hpp"

namespace seshat::core {
namespace {

constexpr bool finals_have_no_way_out() {
  for (const auto& transition : k_transitions) {
    switch (transition.from) {
      case ChatState::closed:
      case ChatState::canceled:
      case ChatState::failed:
      case ChatState::abandoned:
        return false;
      default:
        break;
    }
  }
  return true;
}
static_assert(finals_have_no_way_out(), "a final state has no way out");

}  // namespace

std::optional<Transition> find_transition(ChatState from, ChatState to) {
  for (const auto& transition : k_transitions) {
    if (transition.from == from && transition.to == to) return transition;
  }
  return std::nullopt;
}

bool is_allowed(ChatState from, ChatState to) {
  return find_transition(from, to).has_value();
}

std::optional<std::string> refuse_transition(ChatId chat, ChatState from, ChatState to) {
  if (is_allowed(from, to)) return std::nullopt;
  const std::string head = "chat " + std::to_string(chat) + " cannot go from " +
                           std::string(to_string(from)) + " to " + std::string(to_string(to));
  if (is_final(from)) return head + ": " + std::string(to_string(from)) + " is final";
  return head + ": no such transition";
}

}  // namespace seshat::core
