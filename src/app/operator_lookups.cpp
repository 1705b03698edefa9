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

constexpr int k_earlier_shown = 5;

std::string info(const core::SendInfo& ask, store::Store& store, store::Millis now,
                 const LookupOptions& options) {
  const auto record = store.find_chat(ask.chat);
  if (!record) return core::texts::no_such_chat(ask.chat);
  const auto found = store.visitor_info(ask.chat, k_earlier_shown);
  const auto known = found.value_or(store::VisitorInfo{});
  core::texts::VisitorInfo shown;
  shown.chat = ask.chat;
  shown.name = record->chat.visitor_name;
  shown.email = record->chat.email;
  shown.page = record->chat.page;
  shown.language = record->chat.language;
  shown.created_at = record->created_at;
  shown.referrer = known.details.referrer;
  shown.user_agent = known.details.user_agent;
  shown.utc_offset = known.details.utc_offset;
  shown.accepted_at = known.accepted_at;
  shown.has_visitor_id = !known.details.visitor.empty();
  shown.earlier_count = known.earlier_count;
  for (const auto& earlier : known.earlier)
    shown.earlier.push_back({earlier.id, earlier.created_at, earlier.state});
  if (options.show_ip) shown.address = known.details.address;
  return core::texts::visitor_info(shown, now);
}

// Writes the block (its own transaction: a retry of the event only blocks twice, which is the
// same) or lifts it, and says what happened.
std::string block_visitor(const core::BlockVisitor& ask, store::Store& store, store::Millis now,
                          const LookupOptions& options) {
  if (!store.find_chat(ask.chat)) return core::texts::no_such_chat(ask.chat);
  if (!ask.block) {
    return store.unblock(ask.chat) > 0 ? core::texts::unblocked(ask.chat)
                                       : core::texts::not_blocked(ask.chat);
  }
  const auto until = now + options.block_hours * 3'600'000;
  return store.block(ask.chat, until) ? core::texts::blocked(ask.chat, options.block_hours)
                                      : core::texts::nothing_to_block(ask.chat);
}

}  // namespace

void resolve_lookups(core::Actions& actions, store::Store& store, store::Millis now,
                     const LookupOptions& options) {
  for (auto& action : actions) {
    if (const auto* ask = std::get_if<core::SendHistory>(&action)) {
      action = core::SendToOperator{ask->jid, history(*ask, store), ask->window};
    } else if (const auto* asked = std::get_if<core::SendInfo>(&action)) {
      action = core::SendToOperator{asked->jid, info(*asked, store, now, options), asked->window};
    } else if (const auto* block = std::get_if<core::BlockVisitor>(&action)) {
      action = core::SendToOperator{block->jid, block_visitor(*block, store, now, options),
                                    block->window};
    }
  }
  actions = core::fit_to_stanzas(std::move(actions));  // a page of history can be long
}

}  // namespace seshat::app
