#include "core/switchboard.hpp"

#include <algorithm>
#include <cctype>

#include "core/command.hpp"
#include "core/notices.hpp"
#include "core/texts.hpp"

namespace seshat::core {
namespace {

bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isspace(c) != 0; });
}

bool contains(const std::vector<std::string>& jids, std::string_view jid) {
  return std::find(jids.begin(), jids.end(), jid) != jids.end();
}

// Decides one event on the board's current state; each overload is one kind of event.
class Decision {
 public:
  explicit Decision(const Switchboard& board) : m_board(board) {}

  Actions operator()(const ChatOpened& event) const {
    const auto& chat = event.chat;
    if (m_board.find(chat.id) != nullptr) return ignore(texts::already_known(chat.id));
    if (!is_request(chat.state)) return ignore(texts::not_a_request(chat.id, chat.state));
    Actions actions;
    const auto available = m_board.presence().available();
    if (available.empty()) {
      actions.push_back(PostToChat{chat.id, Author::system, texts::no_operator()});
    } else {
      offer(chat, available, actions);
    }
    return actions;
  }

  Actions operator()(const VisitorMessage& event) const {
    const auto* chat = m_board.find(event.chat);
    if (chat == nullptr) return ignore(texts::unknown_chat(event.chat));
    Actions actions;
    if (chat->state == ChatState::open) {
      actions.push_back(SendToOperator{chat->operator_jid, event.text, chat->id});
      actions.push_back(MarkRelayed{chat->id, event.seq});
      return actions;
    }
    // Held back: it waits in the store, and RelayBacklog delivers it when an operator accepts.
    // Once the visitor is told, the broker no longer reads the chat's messages; one read before
    // that needs nothing more.
    if (!chat->told_held) {
      actions.push_back(PostToChat{chat->id, Author::system, texts::held_back()});
      actions.push_back(HoldMessages{chat->id});
    }
    return actions;
  }

  Actions operator()(const VisitorClosed& event) const {
    const auto* chat = m_board.find(event.chat);
    if (chat == nullptr) return ignore(texts::unknown_chat(event.chat));
    Actions actions;  // the store already closed it and told the visitor
    if (chat->state == ChatState::open) {
      actions.push_back(SendToOperator{chat->operator_jid, texts::chat_closed(), chat->id});
    } else {
      tell_notified(*chat, {}, texts::closed_by_visitor(chat->id), actions);
    }
    return actions;
  }

  Actions operator()(const VisitorVanished& event) const {
    const auto* chat = m_board.find(event.chat);
    if (chat == nullptr) return ignore(texts::unknown_chat(event.chat));
    Actions actions;
    actions.push_back(SetState{chat->id, chat->state, ChatState::abandoned, {}});
    actions.push_back(PostToChat{chat->id, Author::system, texts::lost_contact()});
    if (chat->state == ChatState::open) {
      actions.push_back(
          SendToOperator{chat->operator_jid, texts::visitor_left(chat->id), chat->id});
    } else {
      tell_notified(*chat, {}, texts::abandoned_by_visitor(chat->id), actions);
    }
    return actions;
  }

  Actions operator()(const AcceptTimedOut& event) const {
    const auto* chat = m_board.find(event.chat);
    if (chat == nullptr) return ignore(texts::unknown_chat(event.chat));
    if (!is_request(chat->state)) return ignore(texts::not_a_request(chat->id, chat->state));
    Actions actions;
    actions.push_back(SetState{chat->id, chat->state, ChatState::failed, {}});
    actions.push_back(PostToChat{chat->id, Author::system, texts::nobody_could_take()});
    tell_notified(*chat, {}, texts::not_accepted_in_time(chat->id), actions);
    return actions;
  }

  Actions operator()(const OperatorMessage& event) const {
    const auto jid = split_jid(event.from).bare;
    if (!m_board.is_operator(jid)) return ignore(texts::not_an_operator(jid));
    // Its text is only the fallback ("I sent you an OMEMO encrypted message..."): relaying it
    // would lose the answer silently. The operator learns at once how to send it readably.
    if (event.payload == Payload::encrypted) return {SendToOperator{jid, texts::encrypted(), 0}};
    // A retraction (XEP-0424): its body is a fallback ("This person attempted to retract...");
    // the visitor sees the withdrawn message replaced, or nothing when it is unknown (store).
    if (event.stanza.retraction) {
      const auto* chat = m_board.chat_of(jid);
      if (chat == nullptr) return {};
      return {PostToChat{chat->id, Author::operator_, texts::retracted(), m_board.display_name(jid),
                         event.from, event.stanza}};
    }
    if (is_blank(event.text)) {
      if (event.typing == Typing::none) return ignore(texts::empty_message(jid));
      const auto* chat = m_board.chat_of(jid);
      if (chat == nullptr) return {};  // typing to the bot outside a chat: nothing to show
      return {SetOperatorTyping{chat->id, event.typing == Typing::typing}};
    }
    Actions actions;
    if (const auto line = parse_command(event.text)) {
      CommandContext context{m_board, jid, actions};
      run_command(*line, context);
    } else if (const auto* chat = m_board.chat_of(jid)) {
      actions.push_back(PostToChat{chat->id, Author::operator_, event.text,
                                   m_board.display_name(jid), event.from, event.stanza});
    } else {
      actions.push_back(SendToOperator{jid, texts::not_in_chat_hint(), 0});
    }
    return actions;
  }

  Actions operator()(const OperatorNamed& event) const {
    const auto jid = split_jid(event.from).bare;
    // Anyone's nickname may come by (a stranger's presence): only operators' names matter.
    if (!m_board.is_operator(jid)) return {};
    const auto* chat = m_board.chat_of(jid);
    if (chat == nullptr) return {};  // remembered at commit; shown from their next chat on
    const auto name = m_board.display_name_after(event);
    if (name == m_board.display_name(jid)) return {};
    return {SetOperatorName{chat->id, name}};
  }

  Actions operator()(const VisitorTyping& event) const {
    const auto* chat = m_board.find(event.chat);
    // Also acknowledged when nobody is to be told (a request, a chat that ended).
    if (chat == nullptr || chat->state != ChatState::open)
      return {SendTyping{event.chat, {}, event.typing}};
    return {SendTyping{chat->id, chat->operator_jid, event.typing}};
  }

  Actions operator()(const PresenceChanged& event) const {
    const auto jid = split_jid(event.from).bare;
    if (!m_board.is_operator(jid)) return ignore(texts::not_an_operator(jid));
    auto after = m_board.presence();
    after.update(event.from, event.show);
    const bool was_available = m_board.presence().is_available(jid);
    const bool now_available = after.is_available(jid);

    Actions actions;
    if (now_available && !was_available) {
      actions.push_back(SetOperatorAvailable{jid, true});
      // Requests they were already told about are not repeated (the outbox delivered them).
      for (const auto* request : m_board.requests()) {
        if (!contains(request->notified, jid)) offer(*request, {jid}, actions);
      }
    } else if (was_available && !now_available) {
      actions.push_back(SetOperatorAvailable{jid, false});
    }
    // Away or busy, they keep their chat. Fully offline, they keep it too for now: a client
    // that reconnects, or the server's answer to a probe, says "unavailable" for a moment.
    // PresenceSettled, a little later, puts the chat back in the queue if they stay away.
    return actions;
  }

  Actions operator()(const ConnectionLost&) const {
    Actions actions;
    for (const auto& jid : m_board.presence().available()) {
      actions.push_back(SetOperatorAvailable{jid, false});
    }
    return actions;
  }

  Actions operator()(const PresenceSettled&) const {
    Actions actions;
    const auto available = m_board.presence().available();
    for (const auto* chat : m_board.open_chats()) {
      if (!m_board.presence().is_online(chat->operator_jid)) requeue(*chat, available, actions);
    }
    return actions;
  }

 private:
  static Actions ignore(std::string reason) { return {Ignore{std::move(reason)}}; }

  // The open `chat` lost its operator: offer it to `available` operators, or let it wait.
  static void requeue(const Chat& chat, const std::vector<std::string>& available,
                      Actions& actions) {
    const auto to = available.empty() ? ChatState::waiting : ChatState::notified;
    actions.push_back(SetState{chat.id, ChatState::open, to, {}});
    actions.push_back(PostToChat{chat.id, Author::system, texts::operator_went_offline()});
    if (available.empty()) {
      actions.push_back(PostToChat{chat.id, Author::system, texts::no_operator()});
    }
    actions.push_back(SendToOperator{chat.operator_jid, texts::you_went_offline(chat.id), 0});
    Chat request = chat;
    request.state = to;
    offer(request, available, actions);
  }

  const Switchboard& m_board;
};

// A name as visitors may see it: one line, no control characters, at most 64 bytes (cut at a
// character boundary), trimmed. Empty when nothing is left.
std::string clean_name(std::string_view raw) {
  constexpr std::size_t k_max_bytes = 64;
  std::string name;
  bool space = false;
  for (const unsigned char c : raw) {
    if (c < 0x20 || c == 0x7f || c == ' ') {
      space = !name.empty();
      continue;
    }
    if (space) name += ' ';
    space = false;
    name += static_cast<char>(c);
  }
  if (name.size() > k_max_bytes) {
    auto end = k_max_bytes;
    while (end > 0 && (static_cast<unsigned char>(name[end]) & 0xC0) == 0x80) --end;
    name.resize(end);
    while (!name.empty() && name.back() == ' ') name.pop_back();
  }
  return name;
}

}  // namespace

Switchboard::Switchboard(std::vector<std::string> operators, OperatorNames names)
    : m_show_names(names) {
  for (const auto& jid : operators) {
    auto bare = split_jid(jid).bare;
    if (!bare.empty()) m_operators.push_back(std::move(bare));
  }
  std::sort(m_operators.begin(), m_operators.end());
  m_operators.erase(std::unique(m_operators.begin(), m_operators.end()), m_operators.end());
}

Actions Switchboard::handle(const Event& event) const {
  auto actions = std::visit(Decision(*this), event);
  // Whoever accepts a chat (or gets it transferred), the visitor learns who answers.
  std::vector<SetOperatorName> named;
  for (const auto& action : actions) {
    if (const auto* change = std::get_if<SetState>(&action);
        change != nullptr && change->to == ChatState::open) {
      named.push_back(SetOperatorName{change->chat, display_name(change->operator_jid)});
    }
  }
  actions.insert(actions.end(), named.begin(), named.end());
  return actions;
}

std::optional<Switchboard::KnownName> Switchboard::learn(const OperatorNamed& event) const {
  const auto jid = split_jid(event.from).bare;
  if (!is_operator(jid)) return std::nullopt;
  auto name = clean_name(event.name);
  if (name.empty()) return std::nullopt;
  // A nickname wins over the vCard's name.
  const auto known = m_names.find(jid);
  if (known != m_names.end() && event.source < known->second.source) return std::nullopt;
  return KnownName{event.source, std::move(name)};
}

std::string Switchboard::display_name_after(const OperatorNamed& event) const {
  if (m_show_names == OperatorNames::shown) {
    if (const auto learned = learn(event)) return learned->name;
  }
  return display_name(event.from);
}

std::string Switchboard::display_name(std::string_view operator_jid) const {
  if (m_show_names == OperatorNames::hidden) return texts::support_name();
  const auto jid = split_jid(operator_jid).bare;
  if (const auto found = m_names.find(jid); found != m_names.end()) return found->second.name;
  return jid.substr(0, jid.find('@'));
}

void Switchboard::commit(const Event& event, const Actions& actions) {
  if (const auto* opened = std::get_if<ChatOpened>(&event)) {
    if (is_request(opened->chat.state)) m_chats.try_emplace(opened->chat.id, opened->chat);
  } else if (const auto* presence = std::get_if<PresenceChanged>(&event)) {
    if (is_operator(split_jid(presence->from).bare))
      m_presence.update(presence->from, presence->show);
  } else if (std::holds_alternative<ConnectionLost>(event)) {
    m_presence.clear();
  } else if (const auto* named = std::get_if<OperatorNamed>(&event)) {
    if (auto learned = learn(*named)) {
      m_names.insert_or_assign(split_jid(named->from).bare, std::move(*learned));
    }
  }

  std::vector<ChatId> finished;
  for (const auto& action : actions) {
    if (const auto* change = std::get_if<SetState>(&action)) {
      const auto found = m_chats.find(change->chat);
      if (found == m_chats.end()) continue;
      auto& chat = found->second;
      chat.state = change->to;
      chat.operator_jid = change->to == ChatState::open ? change->operator_jid : std::string();
      // A new round of offers starts if it ever comes back to the queue.
      if (change->to == ChatState::open) chat.notified.clear();
      index_open(chat);
      if (is_final(chat.state)) finished.push_back(chat.id);
    } else if (const auto* hold = std::get_if<HoldMessages>(&action)) {
      if (const auto found = m_chats.find(hold->chat); found != m_chats.end()) {
        found->second.told_held = true;
      }
    } else if (const auto* sent = std::get_if<SendToOperator>(&action)) {
      const auto found = m_chats.find(sent->chat);
      if (found == m_chats.end() || !is_request(found->second.state)) continue;
      auto& notified = found->second.notified;
      if (!contains(notified, sent->jid)) notified.push_back(sent->jid);
    }
  }

  // The visitor is gone: the store already closed the chat (or the actions made it final).
  // An AcceptTimedOut that was ignored (the chat is open) must not forget it, so it relies on
  // the SetState it produced, like every other ending.
  if (const auto* closed = std::get_if<VisitorClosed>(&event)) forget(closed->chat);
  if (const auto* vanished = std::get_if<VisitorVanished>(&event)) forget(vanished->chat);
  for (const auto id : finished) forget(id);  // chats only end by SetState: no scan needed
}

void Switchboard::restore(Chat chat) {
  if (is_final(chat.state)) return forget(chat.id);
  chat.operator_jid = chat.state == ChatState::open ? split_jid(chat.operator_jid).bare : "";
  for (auto& jid : chat.notified) jid = split_jid(jid).bare;
  const auto id = chat.id;
  index_open(m_chats.insert_or_assign(id, std::move(chat)).first->second);
}

const Chat* Switchboard::find(ChatId id) const {
  const auto found = m_chats.find(id);
  return found == m_chats.end() ? nullptr : &found->second;
}

const Chat* Switchboard::chat_of(std::string_view operator_jid) const {
  const auto jid = split_jid(operator_jid).bare;
  for (const auto id : m_open) {
    const auto& chat = m_chats.at(id);
    if (chat.operator_jid == jid) return &chat;
  }
  return nullptr;
}

std::vector<const Chat*> Switchboard::requests() const {
  std::vector<const Chat*> result;
  for (const auto& [id, chat] : m_chats) {
    if (is_request(chat.state)) result.push_back(&chat);  // ids grow: oldest first
  }
  return result;
}

std::vector<const Chat*> Switchboard::open_chats() const {
  std::vector<const Chat*> result;
  result.reserve(m_open.size());
  for (const auto id : m_open) result.push_back(&m_chats.at(id));
  return result;
}

bool Switchboard::is_operator(std::string_view bare_jid) const {
  return std::binary_search(m_operators.begin(), m_operators.end(), split_jid(bare_jid).bare);
}

void Switchboard::forget(ChatId id) {
  m_chats.erase(id);
  m_open.erase(id);
}

void Switchboard::index_open(const Chat& chat) {
  if (chat.state == ChatState::open) {
    m_open.insert(chat.id);
  } else {
    m_open.erase(chat.id);
  }
}

}  // namespace seshat::core
