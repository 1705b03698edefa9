#include "app/operator_lookups.hpp"

#include <algorithm>
#include <type_traits>
#include <variant>

#include "core/texts.hpp"

namespace seshat::app {
namespace {

// Far more than a chat may hold (max_messages_per_chat counts the visitor's side only).
constexpr int k_history_read_limit = 100'000;

std::string history(const core::SendHistory& ask, store::Store& store) {
  const auto record = store.find_chat(ask.chat);
  if (!record) return core::texts::no_such_chat(ask.chat);
  const auto messages = store.messages_after(ask.chat, 0, k_history_read_limit);
  const auto per_page = static_cast<std::size_t>(core::texts::k_history_page_lines);
  const auto pages = static_cast<int>((messages.size() + per_page - 1) / per_page);
  if (ask.page < 1 || ask.page > pages)
    return core::texts::no_history_page(ask.chat, ask.page, pages);
  std::vector<core::texts::HistoryLine> lines;
  const auto skip = static_cast<std::size_t>(ask.page - 1) * per_page;
  for (auto it = messages.rbegin() + static_cast<std::ptrdiff_t>(skip);
       it != messages.rend() && lines.size() < per_page; ++it) {
    lines.push_back({it->from, it->name, it->text, it->at});
  }
  return core::texts::history(ask.chat, record->chat.visitor_name, lines, ask.page, pages);
}

}  // namespace

void resolve_lookups(core::Actions& actions, store::Store& store, store::Millis /*now*/) {
  for (auto& action : actions) {
    if (const auto* ask = std::get_if<core::SendHistory>(&action)) {
      const auto about = ask->window != 0 ? ask->window : 0;
      action = core::SendToOperator{ask->jid, history(*ask, store), about};
    }
  }
}

}  // namespace seshat::app
