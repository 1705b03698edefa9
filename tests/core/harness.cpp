#include "harness.hpp"

#include <type_traits>
#include <variant>

namespace seshat::core::testing {
namespace {

std::string about(ChatId chat) {
  return chat == 0 ? "" : " #" + std::to_string(chat);
}

}  // namespace

std::string describe(const Action& action) {
  return std::visit(
      [](const auto& a) -> std::string {
        using A = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<A, SetState>) {
          return "#" + std::to_string(a.chat) + " " + std::string(to_string(a.from)) + " -> " +
                 std::string(to_string(a.to)) + (a.operator_jid.empty() ? "" : " ") +
                 a.operator_jid;
        } else if constexpr (std::is_same_v<A, SendToOperator>) {
          return "> " + a.jid + about(a.chat) + ": " + a.text;
        } else if constexpr (std::is_same_v<A, PostToChat>) {
          return "< #" + std::to_string(a.chat) + " " + std::string(to_string(a.from)) + ": " +
                 a.text;
        } else if constexpr (std::is_same_v<A, MarkRelayed>) {
          return "relayed #" + std::to_string(a.chat) + " up to " + std::to_string(a.seq);
        } else if constexpr (std::is_same_v<A, HoldMessages>) {
          return "hold #" + std::to_string(a.chat);
        } else if constexpr (std::is_same_v<A, RelayBacklog>) {
          return "backlog #" + std::to_string(a.chat) + " to " + a.jid;
        } else if constexpr (std::is_same_v<A, SetOperatorAvailable>) {
          return a.jid + (a.available ? " available" : " unavailable");
        } else if constexpr (std::is_same_v<A, SetOperatorFree>) {
          return a.jid + (a.free ? " free" : " not free");
        } else if constexpr (std::is_same_v<A, MarkLeftMessage>) {
          return "#" + std::to_string(a.chat) + (a.left ? " left message" : " no left message");
        } else if constexpr (std::is_same_v<A, SetVisitorAway>) {
          return "#" + std::to_string(a.chat) + (a.away ? " visitor away" : " visitor back");
        } else if constexpr (std::is_same_v<A, Offered>) {
          std::string ids;
          for (const auto id : a.chats) ids += " #" + std::to_string(id);
          return "offered" + ids + " to " + a.jid;
        } else if constexpr (std::is_same_v<A, DeferOffer>) {
          return "defer #" + std::to_string(a.chat) + " for " + a.jid;
        } else if constexpr (std::is_same_v<A, MarkDropped>) {
          return "#" + std::to_string(a.chat) + (a.dropped ? " dropped" : " not dropped");
        } else if constexpr (std::is_same_v<A, SetOperatorName>) {
          return "#" + std::to_string(a.chat) + " operator named " + a.name;
        } else if constexpr (std::is_same_v<A, SetOperatorTyping>) {
          return "#" + std::to_string(a.chat) +
                 (a.typing ? " operator typing" : " operator not typing");
        } else if constexpr (std::is_same_v<A, SendTyping>) {
          return "> " + a.jid + about(a.chat) + (a.typing ? " (typing)" : " (not typing)");
        } else if constexpr (std::is_same_v<A, SetCurrent>) {
          return a.jid + " current #" + std::to_string(a.chat);
        } else if constexpr (std::is_same_v<A, OfferTransfer>) {
          return "transfer #" + std::to_string(a.chat) + " to " + a.to;
        } else if constexpr (std::is_same_v<A, SendHistory>) {
          return "> " + a.jid + about(a.window) + ": history of #" + std::to_string(a.chat) +
                 " page " + std::to_string(a.page);
        } else if constexpr (std::is_same_v<A, SendInfo>) {
          return "> " + a.jid + about(a.window) + ": info on #" + std::to_string(a.chat);
        } else if constexpr (std::is_same_v<A, BlockVisitor>) {
          return "> " + a.jid + about(a.window) + (a.block ? ": block #" : ": unblock #") +
                 std::to_string(a.chat);
        } else {
          static_assert(std::is_same_v<A, Ignore>);
          return "ignore: " + a.reason;
        }
      },
      action);
}

std::vector<std::string> describe(const Actions& actions) {
  std::vector<std::string> lines;
  for (const auto& action : actions) {
    // Bookkeeping of who heard of what: shown by describe_all().
    if (std::holds_alternative<Offered>(action) || std::holds_alternative<SetOperatorFree>(action))
      continue;
    lines.push_back(describe(action));
  }
  return lines;
}

std::vector<std::string> describe_all(const Actions& actions) {
  std::vector<std::string> lines;
  for (const auto& action : actions) lines.push_back(describe(action));
  return lines;
}

std::vector<std::string> to_operator(const Actions& actions, std::string_view jid) {
  std::vector<std::string> texts;
  for (const auto& action : actions) {
    if (const auto* sent = std::get_if<SendToOperator>(&action); sent && sent->jid == jid) {
      texts.push_back(sent->text);
    }
  }
  return texts;
}

std::vector<std::string> to_chat(const Actions& actions, ChatId chat) {
  std::vector<std::string> texts;
  for (const auto& action : actions) {
    if (const auto* posted = std::get_if<PostToChat>(&action); posted && posted->chat == chat) {
      texts.push_back(std::string(to_string(posted->from)) + ": " + posted->text);
    }
  }
  return texts;
}

Harness::Harness(int max_chats) : Harness(BoardOptions{.max_chats = max_chats, .mail = Mail::on}) {}

Harness::Harness(BoardOptions options)
    : board({std::string(k_joe), std::string(k_bob), std::string(k_ann)}, options) {}

Actions Harness::feed(const Event& event) {
  auto actions = board.handle(event);
  board.commit(event, actions);
  return actions;
}

Actions Harness::online(std::string_view jid, std::string_view resource, Show show, int priority) {
  return feed(PresenceChanged{std::string(jid) + "/" + std::string(resource), show, priority});
}

Actions Harness::offline(std::string_view jid, std::string_view resource) {
  return online(jid, resource, Show::unavailable);
}

Actions Harness::open_chat(ChatId id, std::string name, std::string opening, std::string page,
                           std::string email) {
  Chat chat;
  chat.id = id;
  chat.email = std::move(email);
  chat.created_at = board.now();
  chat.visitor_name = std::move(name);
  chat.opening_message = std::move(opening);
  chat.page = std::move(page);
  return feed(ChatOpened{std::move(chat)});
}

Actions Harness::say(std::string_view jid, std::string text, std::string_view resource) {
  return feed(OperatorMessage{std::string(jid) + "/" + std::string(resource), std::move(text)});
}

Actions Harness::visitor(ChatId chat, Seq seq, std::string text) {
  return feed(VisitorMessage{chat, seq, std::move(text)});
}

}  // namespace seshat::core::testing
