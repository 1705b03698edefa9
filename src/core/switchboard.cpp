#include "core/switchboard.hpp"

#include <algorithm>
#include <cctype>
#include <tuple>

#include "core/chat_machine.hpp"
#include "core/command.hpp"
#include "core/notices.hpp"
#include "core/texts.hpp"

namespace seshat::core {
namespace {

bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isspace(c) != 0; });
}

// "#42 text" (blanks or a line break after the number): chat 42 and the text.
std::optional<std::pair<ChatId, std::string_view>> addressed_line(std::string_view text) {
  if (text.size() < 3 || text.front() != '#') return std::nullopt;
  std::size_t end = 1;
  while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])) != 0) ++end;
  if (end == 1 || end == text.size() || std::isspace(static_cast<unsigned char>(text[end])) == 0)
    return std::nullopt;
  const auto id = parse_chat_id(text.substr(0, end));
  auto rest = text.substr(end);
  while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front())) != 0)
    rest.remove_prefix(1);
  if (!id || rest.empty()) return std::nullopt;
  return std::pair{*id, rest};
}

bool contains(const std::vector<std::string>& jids, std::string_view jid) {
  return std::find(jids.begin(), jids.end(), jid) != jids.end();
}

bool contains_id(const std::vector<ChatId>& ids, ChatId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// Whether `actions` already move `chat` (so no second SetState is added for it).
bool moves(const Actions& actions, ChatId chat) {
  return std::any_of(actions.begin(), actions.end(), [&](const Action& action) {
    const auto* change = std::get_if<SetState>(&action);
    return change != nullptr && change->chat == chat;
  });
}

// Whether `actions` already offer (or hold back for) `jid` the request `chat`.
bool offers(const Actions& actions, std::string_view jid, ChatId chat) {
  return std::any_of(actions.begin(), actions.end(), [&](const Action& action) {
    if (const auto* offered = std::get_if<Offered>(&action)) {
      return offered->jid == jid && contains_id(offered->chats, chat);
    }
    const auto* deferred = std::get_if<DeferOffer>(&action);
    return deferred != nullptr && deferred->jid == jid && deferred->chat == chat;
  });
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
    const auto targets = m_board.offer_targets({}, &chat);
    if (targets.empty()) {
      const bool nobody = m_board.presence().available().empty();
      actions.push_back(
          PostToChat{chat.id, Author::system, nobody ? texts::no_operator() : texts::all_busy()});
    }
    for (const auto& jid : targets) offer_to(jid, {&chat}, actions);
    return actions;
  }

  Actions operator()(const VisitorMessage& event) const {
    const auto* chat = m_board.find(event.chat);
    if (chat == nullptr) return ignore(texts::unknown_chat(event.chat));
    Actions actions;
    if (chat->state == ChatState::open) {
      actions.push_back(line_to_operator(m_board.options().addressing, chat->id, chat->operator_jid,
                                         chat->visitor_name, m_board.holding(chat->operator_jid),
                                         event.text));
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
    // Nothing a visitor said is dropped: a request they wrote in waits as a left message, and
    // a chat that can still reach them (by email), or that was taken as a left message, stays
    // open until its operator finishes it.
    if (chat->left_message) return ignore(texts::stays_open(chat->id));
    if (chat->state == ChatState::open && !chat->email.empty()) {
      return ignore(texts::stays_open(chat->id));
    }
    Actions actions;
    if (is_request(chat->state) && event.wrote) {
      actions.push_back(MarkLeftMessage{chat->id, true});
      if (!chat->visitor_away) actions.push_back(SetVisitorAway{chat->id, true});
      actions.push_back(
          PostToChat{chat->id, Author::system,
                     texts::message_kept(!chat->email.empty() && m_board.mail() == Mail::on)});
      return actions;
    }
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

  Actions operator()(const VisitorAway& event) const {
    const auto* chat = m_board.find(event.chat);
    if (chat == nullptr) return ignore(texts::unknown_chat(event.chat));
    if (chat->visitor_away) return ignore(texts::already_away(chat->id));
    Actions actions{SetVisitorAway{chat->id, true}};
    if (chat->state == ChatState::open) {
      actions.push_back(SendToOperator{
          chat->operator_jid, texts::visitor_left_page(chat->visitor_name, chat->id), chat->id});
    }
    return actions;
  }

  Actions operator()(const VisitorBack& event) const {
    const auto* chat = m_board.find(event.chat);
    if (chat == nullptr) return ignore(texts::unknown_chat(event.chat));
    if (!chat->visitor_away) return ignore(texts::not_away(chat->id));
    Actions actions{SetVisitorAway{chat->id, false}};
    if (chat->left_message && is_request(chat->state)) {
      actions.push_back(MarkLeftMessage{chat->id, false});
    }
    if (chat->state == ChatState::open) {
      actions.push_back(SendToOperator{
          chat->operator_jid, texts::visitor_is_back(chat->visitor_name, chat->id), chat->id});
    }
    return actions;
  }

  Actions operator()(const AcceptTimedOut& event) const {
    const auto* chat = m_board.find(event.chat);
    if (chat == nullptr) return ignore(texts::unknown_chat(event.chat));
    if (!is_request(chat->state)) return ignore(texts::not_a_request(chat->id, chat->state));
    if (chat->left_message) return ignore(texts::stays_open(chat->id));
    Actions actions;
    actions.push_back(SetState{chat->id, chat->state, ChatState::failed, {}});
    actions.push_back(PostToChat{chat->id, Author::system, texts::nobody_could_take()});
    tell_notified(*chat, {}, texts::not_accepted_in_time(chat->id), actions);
    return actions;
  }

  Actions operator()(const OperatorMessage& event) const {
    const auto jid = split_jid(event.from).bare;
    if (!m_board.is_operator(jid)) return ignore(texts::not_an_operator(jid));
    auto actions = decide(event, jid);
    // Component mode: what answers a message sent to chat N's address comes from there.
    if (event.window != 0) {
      for (auto& action : actions) {
        auto* sent = std::get_if<SendToOperator>(&action);
        if (sent != nullptr && sent->jid == jid && sent->chat == 0) sent->chat = event.window;
      }
    }
    return actions;
  }

  // The chat an operator's message without a "#n" goes to: the window's (component mode), else
  // the current chat; nullptr when they hold none (or not the window's).
  const Chat* meant(const OperatorMessage& event, std::string_view jid) const {
    if (event.window != 0) return m_board.held_chat(jid, event.window);
    return m_board.chat_of(jid);
  }

  Actions decide(const OperatorMessage& event, const std::string& jid) const {
    // Its text is only the fallback ("I sent you an OMEMO encrypted message..."): relaying it
    // would lose the answer silently. The operator learns at once how to send it readably.
    if (event.payload == Payload::encrypted) return {SendToOperator{jid, texts::encrypted(), 0}};
    // A retraction (XEP-0424): its body is a fallback ("This person attempted to retract...");
    // the visitor sees the withdrawn message replaced, or nothing when it is unknown (store).
    if (event.stanza.retraction) {
      const auto* chat = meant(event, jid);
      if (chat == nullptr) return {};
      return {PostToChat{chat->id, Author::operator_, texts::retracted(), m_board.display_name(jid),
                         event.from, event.stanza}};
    }
    if (is_blank(event.text)) {
      if (event.typing == Typing::none) return ignore(texts::empty_message(jid));
      const auto* chat = meant(event, jid);
      if (chat == nullptr) return {};  // typing to the bot outside a chat: nothing to show
      return {SetOperatorTyping{chat->id, event.typing == Typing::typing}};
    }
    Actions actions;
    if (const auto line = parse_command(event.text)) {
      CommandContext context{m_board, jid, actions, event.window};
      run_command(*line, context);
      return actions;
    }
    // "#42 text" writes to chat 42 when this operator holds it, without switching.
    if (const auto addressed = addressed_line(event.text)) {
      if (const auto* chat = m_board.held_chat(jid, addressed->first)) {
        actions.push_back(PostToChat{chat->id, Author::operator_, std::string(addressed->second),
                                     m_board.display_name(jid), event.from, event.stanza});
        return actions;
      }
    }
    if (const auto* chat = meant(event, jid)) {
      actions.push_back(PostToChat{chat->id, Author::operator_, event.text,
                                   m_board.display_name(jid), event.from, event.stanza});
    } else if (event.window != 0) {
      actions.push_back(SendToOperator{jid, texts::not_handling(event.window), event.window});
    } else {
      actions.push_back(SendToOperator{jid, texts::not_in_chat_hint(), 0});
    }
    return actions;
  }

  Actions operator()(const RepliesLoaded&) const { return {}; }  // commit() keeps them

  // least-busy: each offer that ran out goes to the next free operator; with nobody else free,
  // it stays with its holder for another offer_timeout.
  Actions operator()(const OffersDue&) const {
    Actions actions;
    for (const auto id : m_board.due_offers()) {
      const auto* request = m_board.find(id);
      if (request == nullptr || !is_request(request->state)) continue;
      const auto holder = m_board.offer_holder(id);
      const auto next = m_board.offer_targets(holder, request);
      if (next.empty()) {
        actions.push_back(Offered{holder, {id}});  // again, silently
        continue;
      }
      actions.push_back(SendToOperator{holder, texts::offer_moved_on(id), id});
      offer_to(next.front(), {request}, actions);
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
    after.update(event.from, event.show, event.priority);
    const bool was_available = m_board.presence().is_available(jid);
    const bool now_available = after.is_available(jid);
    const bool was_online = m_board.presence().is_online(jid);
    const bool now_online = after.is_online(jid);

    Actions actions;
    if (now_available && !was_available) {
      actions.push_back(SetOperatorAvailable{jid, true});
    } else if (was_available && !now_available) {
      actions.push_back(SetOperatorAvailable{jid, false});
    }
    // Away or busy, they keep their chat. Fully offline, they keep it too for now: a client
    // that reconnects, or the server's answer to a probe, says "unavailable" for a moment.
    // PresenceSettled, operator_grace later, puts the chat back in the queue if they stay away;
    // meanwhile their visitors know why nobody answers.
    if (was_available && !now_available) {
      for (const auto* request : m_board.requests()) {
        if (m_board.offer_holder(request->id) != jid) continue;
        for (const auto& next : m_board.offer_targets(jid, request))
          offer_to(next, {request}, actions);
      }
    }
    for (const auto* chat : m_board.open_chats()) {
      if (chat->operator_jid != jid) continue;
      if (was_online && !now_online && !m_board.told_dropped(chat->id)) {
        actions.push_back(PostToChat{chat->id, Author::system, texts::connection_dropped()});
        actions.push_back(MarkDropped{chat->id, true});
      } else if (now_online && m_board.told_dropped(chat->id)) {
        actions.push_back(PostToChat{chat->id, Author::system, texts::operator_back()});
        actions.push_back(MarkDropped{chat->id, false});
      }
    }
    return actions;
  }

  Actions operator()(const ConnectionLost&) const {
    Actions actions;
    for (const auto& jid : m_board.presence().available()) {
      actions.push_back(SetOperatorAvailable{jid, false});
    }
    // Every operator's link to the visitor went through this connection.
    for (const auto* chat : m_board.open_chats()) {
      if (m_board.told_dropped(chat->id)) continue;
      actions.push_back(PostToChat{chat->id, Author::system, texts::connection_dropped()});
      actions.push_back(MarkDropped{chat->id, true});
    }
    return actions;
  }

  Actions operator()(const PresenceSettled& event) const {
    Actions actions;
    const auto free = m_board.free_operators();
    for (const auto* chat : m_board.open_chats()) {
      if (!event.operators.empty() && !contains(event.operators, chat->operator_jid)) continue;
      if (!m_board.presence().is_online(chat->operator_jid)) requeue(*chat, free, actions);
    }
    return actions;
  }

  Actions operator()(const SummaryDue&) const {
    Actions actions;
    for (const auto& [jid, ids] : m_board.due_summaries()) {
      if (!m_board.is_free(jid)) continue;  // told what waits when they are free again
      std::vector<const Chat*> chats;
      for (const auto id : ids) {
        const auto* chat = m_board.find(id);
        if (chat != nullptr && is_request(chat->state)) chats.push_back(chat);
      }
      send_offers(jid, chats, actions);
    }
    return actions;
  }

  // After any event: an operator whose "free" changes is reported (SetOperatorFree, for the
  // availability API); one who became free (available, and with room for a chat) is told what
  // waits, oldest first. Requests they heard of while available are not repeated when they
  // merely come back from away or offline; once they finish a chat, all are.
  void tell_what_waits(const Event& event, Actions& actions) const {
    const auto* presence = std::get_if<PresenceChanged>(&event);
    const bool lost = std::holds_alternative<ConnectionLost>(event);
    // Only these change who is free; the rest (a visitor's message above all) is the hot path.
    const bool may_change = presence != nullptr || lost ||
                            std::holds_alternative<VisitorClosed>(event) ||
                            std::any_of(actions.begin(), actions.end(), [](const Action& action) {
                              return std::holds_alternative<SetState>(action) ||
                                     std::holds_alternative<SetVisitorAway>(action);
                            });
    if (!may_change) return;
    // The operator whose presence this is, and their availability after it.
    std::string changed;
    bool changed_available = false;
    if (presence != nullptr) {
      changed = split_jid(presence->from).bare;
      auto after = m_board.presence();
      after.update(presence->from, presence->show, presence->priority);
      changed_available = after.is_available(changed);
    }
    const auto held_change = held_changes(event, actions);
    for (const auto& jid : m_board.operators()) {
      const bool was_available = m_board.presence().is_available(jid);
      bool now_available = was_available;
      if (lost) {
        now_available = false;
      } else if (presence != nullptr && changed == jid) {
        now_available = changed_available;
      }
      const int held_before = m_board.held(jid);
      const auto change = held_change.find(jid);
      const bool was_free = was_available && held_before < m_board.max_chats();
      const bool now_free =
          now_available &&
          held_before + (change == held_change.end() ? 0 : change->second) < m_board.max_chats();
      if (was_free == now_free) continue;
      actions.push_back(SetOperatorFree{jid, now_free});
      if (!now_free) continue;
      std::vector<const Chat*> waiting;
      for (const auto* request : m_board.requests()) {
        if (moves(actions, request->id) || offers(actions, jid, request->id)) continue;
        if (!was_available && contains(request->notified, jid)) continue;
        // least-busy: a request another free operator is considering stays with them.
        if (const auto holder = m_board.offer_holder(request->id);
            !holder.empty() && holder != jid && m_board.is_free(holder))
          continue;
        waiting.push_back(request);
      }
      offer_to(jid, waiting, actions);
    }
  }

 private:
  static Actions ignore(std::string reason) { return {Ignore{std::move(reason)}}; }

  // How `actions` change the number of chats each operator holds (see Switchboard::held), for
  // the operators they change it for: worked out once, not once an operator.
  std::map<std::string, int, std::less<>> held_changes(const Event& event,
                                                       const Actions& actions) const {
    std::map<std::string, int, std::less<>> changes;
    // The store closed it already: no SetState says so.
    if (const auto* closed = std::get_if<VisitorClosed>(&event)) {
      const auto* chat = m_board.find(closed->chat);
      if (chat != nullptr && chat->state == ChatState::open && !chat->visitor_away)
        --changes[chat->operator_jid];
    }
    for (const auto& action : actions) {
      if (const auto* move = std::get_if<SetState>(&action)) {
        const auto* chat = m_board.find(move->chat);
        if (chat == nullptr || chat->visitor_away) continue;
        if (move->from == ChatState::open) --changes[chat->operator_jid];
        if (move->to == ChatState::open) ++changes[move->operator_jid];
      } else if (const auto* away = std::get_if<SetVisitorAway>(&action)) {
        const auto* chat = m_board.find(away->chat);
        if (chat == nullptr || chat->state != ChatState::open) continue;
        if (away->away && !chat->visitor_away) --changes[chat->operator_jid];
        if (!away->away && chat->visitor_away) ++changes[chat->operator_jid];
      }
    }
    return changes;
  }

  // The notification of each request, or one summary: a request moves to notified when
  // someone is told.
  void send_offers(const std::string& jid, const std::vector<const Chat*>& chats,
                   Actions& actions) const {
    if (chats.empty()) return;
    std::vector<ChatId> ids;
    for (const auto* chat : chats) {
      ids.push_back(chat->id);
      if (chat->state == ChatState::waiting && !moves(actions, chat->id)) {
        actions.push_back(SetState{chat->id, ChatState::waiting, ChatState::notified, {}});
      }
    }
    if (chats.size() == 1) {
      actions.push_back(SendToOperator{jid, texts::chat_request(*chats.front()), ids.front()});
    } else {
      actions.push_back(SendToOperator{jid, texts::request_summary(chats, m_board.now()), 0});
    }
    actions.push_back(Offered{jid, std::move(ids)});
  }

  // Offers `chats` (requests, oldest first) to `jid`: one notification each, but when more
  // than k_rush_requests would reach them within k_rush_window_ms, one summary instead (now,
  // for a batch; for requests arriving one by one, when the window has passed).
  void offer_to(const std::string& jid, const std::vector<const Chat*>& chats,
                Actions& actions) const {
    if (chats.empty()) return;
    if (chats.size() > Switchboard::k_rush_requests) return send_offers(jid, chats, actions);
    std::size_t recent = m_board.recent_offers(jid);
    for (const auto& action : actions) {
      const auto* offered = std::get_if<Offered>(&action);
      if (offered != nullptr && offered->jid == jid) recent += offered->chats.size();
    }
    for (const auto* chat : chats) {
      if (recent < Switchboard::k_rush_requests) {
        send_offers(jid, {chat}, actions);
        ++recent;
      } else {
        actions.push_back(DeferOffer{jid, chat->id});
      }
    }
  }

  // The open `chat` lost its operator: offer it to `free` operators, or let it wait.
  void requeue(const Chat& chat, const std::vector<std::string>& free, Actions& actions) const {
    const auto to = free.empty() ? ChatState::waiting : ChatState::notified;
    // Component mode: from the chat's own address, said before the chat is a request again (a
    // notice about a request counts as an offer).
    const bool component = m_board.options().addressing == Addressing::component;
    if (component)
      actions.push_back(
          SendToOperator{chat.operator_jid, texts::you_went_offline(chat.id), chat.id});
    actions.push_back(SetState{chat.id, ChatState::open, to, {}});
    actions.push_back(PostToChat{chat.id, Author::system, texts::operator_went_offline()});
    if (free.empty()) {
      actions.push_back(PostToChat{chat.id, Author::system, texts::no_operator()});
    }
    if (!component)
      actions.push_back(SendToOperator{chat.operator_jid, texts::you_went_offline(chat.id), 0});
    Chat request = chat;
    request.state = to;
    request.operator_jid.clear();
    for (const auto& jid : m_board.offer_targets({}, &request)) offer_to(jid, {&request}, actions);
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

Switchboard::Switchboard(std::vector<std::string> operators, BoardOptions options)
    : m_options(options),
      m_mail(options.mail),
      m_max_chats(std::max(1, options.max_chats)),
      m_show_names(options.names) {
  for (const auto& jid : operators) {
    auto bare = split_jid(jid).bare;
    if (!bare.empty()) m_operators.push_back(std::move(bare));
  }
  std::sort(m_operators.begin(), m_operators.end());
  m_operators.erase(std::unique(m_operators.begin(), m_operators.end()), m_operators.end());
}

Actions Switchboard::handle(const Event& event) const {
  const Decision decision(*this);
  auto actions = std::visit(decision, event);
  const bool ignored = actions.size() == 1 && std::holds_alternative<Ignore>(actions.front());
  // Whoever accepts a chat (or gets it transferred), the visitor learns who answers.
  std::vector<SetOperatorName> named;
  for (const auto& action : actions) {
    if (const auto* change = std::get_if<SetState>(&action);
        change != nullptr && change->to == ChatState::open) {
      named.push_back(SetOperatorName{change->chat, display_name(change->operator_jid)});
    }
  }
  actions.insert(actions.end(), named.begin(), named.end());
  if (!ignored) tell_current(event, actions);
  // Then who is free now, and what waits for them.
  if (!ignored) decision.tell_what_waits(event, actions);
  // The life cycle is data (chat_machine.hpp): a decision with a move the table does not allow
  // is refused whole, with the reason, rather than half applied.
  for (const auto& action : actions) {
    const auto* change = std::get_if<SetState>(&action);
    if (change == nullptr) continue;
    if (auto refused = refuse_transition(change->chat, change->from, change->to))
      return {Ignore{std::move(*refused)}};
  }
  return fit_to_stanzas(std::move(actions));
}

void Switchboard::tell_current(const Event& event, Actions& actions) const {
  // The chats that leave their operator with these actions.
  std::vector<const Chat*> leaving;
  if (const auto* closed = std::get_if<VisitorClosed>(&event)) {
    if (const auto* chat = find(closed->chat); chat != nullptr && chat->state == ChatState::open)
      leaving.push_back(chat);
  }
  for (const auto& action : actions) {
    const auto* move = std::get_if<SetState>(&action);
    if (move == nullptr || move->from != ChatState::open) continue;
    const auto* chat = find(move->chat);
    if (chat == nullptr || chat->state != ChatState::open) continue;
    if (move->to != ChatState::open || move->operator_jid != chat->operator_jid)
      leaving.push_back(chat);
  }
  for (const auto* gone : leaving) {
    const auto& jid = gone->operator_jid;
    const auto* current = chat_of(jid);
    if (current == nullptr || current->id != gone->id) continue;
    // They chose another already (an accept, a switch): that one was said.
    const bool chosen = std::any_of(actions.begin(), actions.end(), [&](const Action& action) {
      if (const auto* set = std::get_if<SetCurrent>(&action)) return set->jid == jid;
      const auto* move = std::get_if<SetState>(&action);
      return move != nullptr && move->to == ChatState::open && move->operator_jid == jid &&
             move->from != ChatState::open;
    });
    if (chosen) continue;
    const Chat* next = nullptr;
    for (const auto* chat : chats_of(jid)) {
      const bool also_leaving = std::any_of(leaving.begin(), leaving.end(),
                                            [&](const Chat* other) { return other == chat; });
      if (also_leaving) continue;
      if (next == nullptr || (next->visitor_away && !chat->visitor_away)) next = chat;
    }
    if (next == nullptr) continue;
    actions.push_back(SetCurrent{jid, next->id});
    actions.push_back(SendToOperator{jid, texts::current_chat(*next), next->id});
  }
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
    if (is_request(opened->chat.state)) {
      const auto [entry, added] = m_chats.try_emplace(opened->chat.id, opened->chat);
      const auto& chat = entry->second;
      if (added) count(chat, +1);
      if (chat.visitor_away) m_away.insert(chat.id);
      if (!chat.opening_message.empty())
        m_last.insert_or_assign(chat.id, LastLine{chat.visitor_name, chat.opening_message, m_now});
    }
  } else if (const auto* presence = std::get_if<PresenceChanged>(&event)) {
    if (is_operator(split_jid(presence->from).bare))
      m_presence.update(presence->from, presence->show, presence->priority);
  } else if (std::holds_alternative<ConnectionLost>(event)) {
    m_presence.clear();
  } else if (const auto* named = std::get_if<OperatorNamed>(&event)) {
    if (auto learned = learn(*named)) {
      m_names.insert_or_assign(split_jid(named->from).bare, std::move(*learned));
    }
  } else if (const auto* loaded = std::get_if<RepliesLoaded>(&event)) {
    m_replies = loaded->replies;
  } else if (const auto* said = std::get_if<VisitorMessage>(&event)) {
    if (const auto* chat = find(said->chat))
      m_last.insert_or_assign(chat->id, LastLine{chat->visitor_name, said->text, m_now});
  }

  std::vector<ChatId> finished;
  for (const auto& action : actions) {
    apply(action);
    if (const auto* change = std::get_if<SetState>(&action); change && is_final(change->to)) {
      finished.push_back(change->chat);
    }
  }
  if (std::holds_alternative<SummaryDue>(event)) {
    std::erase_if(m_deferred, [&](const auto& entry) { return entry.second.due <= m_now; });
  }

  // The visitor is gone: the store already closed the chat (or the actions made it final).
  // An AcceptTimedOut that was ignored (the chat is open) must not forget it, so it relies on
  // the SetState it produced, like every other ending.
  if (const auto* closed = std::get_if<VisitorClosed>(&event)) forget(closed->chat);
  if (const auto* vanished = std::get_if<VisitorVanished>(&event)) {
    const auto found = m_chats.find(vanished->chat);
    if (found != m_chats.end() && is_final(found->second.state)) forget(vanished->chat);
  }
  for (const auto id : finished) forget(id);  // chats only end by SetState: no scan needed
}

void Switchboard::apply(const Action& action) {
  if (const auto* change = std::get_if<SetState>(&action)) {
    const auto found = m_chats.find(change->chat);
    if (found == m_chats.end()) return;
    auto& chat = found->second;
    count(chat, -1);
    chat.state = change->to;
    chat.operator_jid = change->to == ChatState::open ? change->operator_jid : std::string();
    count(chat, +1);
    // A new round of offers starts if it ever comes back to the queue.
    if (change->to == ChatState::open) {
      chat.notified.clear();
      m_current.insert_or_assign(chat.operator_jid, chat.id);
    }
    m_dropped.erase(chat.id);
    m_transfers.erase(chat.id);  // taken, or no longer its operator's to give
    if (change->to != ChatState::notified) m_offers.erase(chat.id);
    index_open(chat);
  } else if (const auto* current = std::get_if<SetCurrent>(&action)) {
    m_current.insert_or_assign(current->jid, current->chat);
  } else if (const auto* transfer = std::get_if<OfferTransfer>(&action)) {
    if (transfer->to.empty()) {
      m_transfers.erase(transfer->chat);
    } else {
      m_transfers.insert_or_assign(transfer->chat, transfer->to);
    }
  } else if (const auto* post = std::get_if<PostToChat>(&action)) {
    if (post->from == Author::operator_ && m_chats.contains(post->chat))
      m_last.insert_or_assign(post->chat, LastLine{post->name, post->text, m_now});
  } else if (const auto* hold = std::get_if<HoldMessages>(&action)) {
    if (const auto found = m_chats.find(hold->chat); found != m_chats.end()) {
      found->second.told_held = true;
    }
  } else if (const auto* sent = std::get_if<SendToOperator>(&action)) {
    const auto found = m_chats.find(sent->chat);
    if (found == m_chats.end() || !is_request(found->second.state)) return;
    auto& notified = found->second.notified;
    if (!contains(notified, sent->jid)) notified.push_back(sent->jid);
  } else if (const auto* left = std::get_if<MarkLeftMessage>(&action)) {
    if (const auto found = m_chats.find(left->chat); found != m_chats.end()) {
      found->second.left_message = left->left;
    }
  } else if (const auto* away = std::get_if<SetVisitorAway>(&action)) {
    if (const auto found = m_chats.find(away->chat); found != m_chats.end()) {
      count(found->second, -1);
      found->second.visitor_away = away->away;
      count(found->second, +1);
      if (away->away) {
        m_away.insert(away->chat);
      } else {
        m_away.erase(away->chat);
      }
    }
  } else if (const auto* offered = std::get_if<Offered>(&action)) {
    auto& times = m_offer_times[offered->jid];
    auto deferred = m_deferred.find(offered->jid);
    for (const auto id : offered->chats) {
      times.push_back(m_now);
      if (const auto found = m_chats.find(id); found != m_chats.end()) {
        if (!contains(found->second.notified, offered->jid))
          found->second.notified.push_back(offered->jid);
      }
      if (deferred != m_deferred.end()) std::erase(deferred->second.chats, id);
    }
    while (!times.empty() && times.front() <= m_now - k_rush_window_ms) times.pop_front();
    if (m_options.routing == Routing::least_busy) {
      m_offered_last.insert_or_assign(offered->jid, m_now);
      for (const auto id : offered->chats) {
        if (m_chats.contains(id))
          m_offers.insert_or_assign(id, Offer{offered->jid, m_now + m_options.offer_timeout_ms});
      }
    }
  } else if (const auto* defer = std::get_if<DeferOffer>(&action)) {
    auto& deferred = m_deferred[defer->jid];
    if (deferred.chats.empty()) {
      const auto& times = m_offer_times[defer->jid];
      deferred.due = (times.empty() ? m_now : times.front()) + k_rush_window_ms;
    }
    if (!contains_id(deferred.chats, defer->chat)) deferred.chats.push_back(defer->chat);
  } else if (const auto* dropped = std::get_if<MarkDropped>(&action)) {
    if (dropped->dropped) {
      m_dropped.insert(dropped->chat);
    } else {
      m_dropped.erase(dropped->chat);
    }
  }
}

void Switchboard::restore(Chat chat) {
  if (is_final(chat.state)) return forget(chat.id);
  chat.operator_jid = chat.state == ChatState::open ? split_jid(chat.operator_jid).bare : "";
  for (auto& jid : chat.notified) jid = split_jid(jid).bare;
  const auto id = chat.id;
  if (const auto found = m_chats.find(id); found != m_chats.end()) count(found->second, -1);
  const auto& stored = m_chats.insert_or_assign(id, std::move(chat)).first->second;
  count(stored, +1);
  if (stored.visitor_away) {
    m_away.insert(id);
  } else {
    m_away.erase(id);
  }
  index_open(stored);
}

const Chat* Switchboard::find(ChatId id) const {
  const auto found = m_chats.find(id);
  return found == m_chats.end() ? nullptr : &found->second;
}

const Chat* Switchboard::chat_of(std::string_view operator_jid) const {
  std::string scratch;
  const auto jid = bare_jid(operator_jid, scratch);
  if (const auto current = m_current.find(jid); current != m_current.end()) {
    const auto found = m_chats.find(current->second);
    if (found != m_chats.end() && found->second.state == ChatState::open &&
        found->second.operator_jid == jid) {
      return &found->second;
    }
  }
  const Chat* result = nullptr;
  for (const auto id : m_open) {
    const auto& chat = m_chats.at(id);
    if (chat.operator_jid != jid) continue;
    if (result == nullptr || (result->visitor_away && !chat.visitor_away)) result = &chat;
  }
  return result;
}

int Switchboard::held(std::string_view operator_jid) const {
  std::string scratch;
  const auto found = m_held.find(bare_jid(operator_jid, scratch));
  return found == m_held.end() ? 0 : found->second;
}

std::size_t Switchboard::holding(std::string_view bare_jid) const {
  const auto found = m_holding.find(bare_jid);
  return found == m_holding.end() ? 0 : static_cast<std::size_t>(found->second);
}

void Switchboard::count(const Chat& chat, int sign) {
  m_in_state[static_cast<std::size_t>(chat.state)] += sign;
  if (chat.state != ChatState::open) return;
  auto& holding = m_holding[chat.operator_jid];
  holding += sign;
  if (holding <= 0) m_holding.erase(chat.operator_jid);
  if (chat.visitor_away) return;
  auto& held = m_held[chat.operator_jid];
  held += sign;
  if (held <= 0) m_held.erase(chat.operator_jid);
}

std::vector<const Chat*> Switchboard::chats_of(std::string_view operator_jid) const {
  std::vector<const Chat*> result;
  std::string scratch;
  const auto jid = bare_jid(operator_jid, scratch);
  if (!m_holding.contains(jid)) return result;  // the hot path: most operators hold one or none
  for (const auto id : m_open) {
    const auto& chat = m_chats.at(id);
    if (chat.operator_jid == jid) result.push_back(&chat);
  }
  return result;
}

const Chat* Switchboard::held_chat(std::string_view operator_jid, ChatId id) const {
  const auto* chat = find(id);
  if (chat == nullptr || chat->state != ChatState::open) return nullptr;
  std::string scratch;
  return chat->operator_jid == bare_jid(operator_jid, scratch) ? chat : nullptr;
}

std::string Switchboard::line_prefix(const Chat& chat, std::size_t holding) const {
  return core::line_prefix(m_options.addressing, chat.id, chat.visitor_name, holding);
}

std::string Switchboard::transfer_target(ChatId id) const {
  const auto found = m_transfers.find(id);
  return found == m_transfers.end() ? std::string() : found->second;
}

std::string Switchboard::last_line(ChatId id) const {
  const auto found = m_last.find(id);
  if (found == m_last.end()) return texts::no_lines_yet();
  const auto& line = found->second;
  return texts::last_line(line.who, line.text, m_now - line.at);
}

std::vector<std::string> Switchboard::offer_targets(std::string_view except,
                                                    const Chat* request) const {
  auto result = free_operators();
  std::erase(result, std::string(except));
  if (m_options.routing == Routing::broadcast || result.empty()) return result;
  // The least busy: chats held plus offers held; not yet tried for this request first; then
  // whoever was offered anything longest ago; then by name (the list is sorted).
  const auto load = [&](const std::string& jid) {
    const auto holding = m_holding.find(jid);
    int count = holding == m_holding.end() ? 0 : holding->second;
    for (const auto& [id, offer] : m_offers) {
      if (offer.jid == jid && (request == nullptr || id != request->id)) ++count;
    }
    return count;
  };
  const auto tried = [&](const std::string& jid) {
    return request != nullptr && contains(request->notified, jid);
  };
  const auto last = [&](const std::string& jid) {
    const auto found = m_offered_last.find(jid);
    return found == m_offered_last.end() ? std::int64_t{0} : found->second;
  };
  const auto best =
      std::min_element(result.begin(), result.end(), [&](const auto& a, const auto& b) {
        return std::tuple(tried(a), load(a), last(a)) < std::tuple(tried(b), load(b), last(b));
      });
  return {*best};
}

std::string Switchboard::offer_holder(ChatId id) const {
  const auto found = m_offers.find(id);
  return found == m_offers.end() ? std::string() : found->second.jid;
}

bool Switchboard::offers_due() const {
  return std::any_of(m_offers.begin(), m_offers.end(),
                     [&](const auto& entry) { return entry.second.until <= m_now; });
}

std::vector<ChatId> Switchboard::due_offers() const {
  std::vector<ChatId> result;
  for (const auto& [id, offer] : m_offers) {
    if (offer.until <= m_now) result.push_back(id);
  }
  return result;
}

bool Switchboard::has_room(std::string_view operator_jid) const {
  return held(operator_jid) < m_max_chats;
}

bool Switchboard::is_free(std::string_view operator_jid) const {
  return m_presence.is_available(operator_jid) && has_room(operator_jid);
}

std::vector<std::string> Switchboard::free_operators() const {
  std::vector<std::string> result;
  for (auto& jid : m_presence.available()) {
    if (has_room(jid)) result.push_back(std::move(jid));
  }
  return result;
}

std::size_t Switchboard::recent_offers(std::string_view jid) const {
  const auto found = m_offer_times.find(jid);
  if (found == m_offer_times.end()) return 0;
  return static_cast<std::size_t>(
      std::count_if(found->second.begin(), found->second.end(),
                    [&](std::int64_t at) { return at > m_now - k_rush_window_ms; }));
}

bool Switchboard::summary_due() const {
  return std::any_of(m_deferred.begin(), m_deferred.end(),
                     [&](const auto& entry) { return entry.second.due <= m_now; });
}

std::map<std::string, std::vector<ChatId>> Switchboard::due_summaries() const {
  std::map<std::string, std::vector<ChatId>> result;
  for (const auto& [jid, deferred] : m_deferred) {
    if (deferred.due <= m_now && !deferred.chats.empty()) result.emplace(jid, deferred.chats);
  }
  return result;
}

std::vector<const Chat*> Switchboard::away_chats() const {
  std::vector<const Chat*> result;
  for (const auto id : m_away) result.push_back(&m_chats.at(id));
  return result;
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

bool Switchboard::is_operator(std::string_view jid) const {
  std::string scratch;
  return std::binary_search(m_operators.begin(), m_operators.end(), bare_jid(jid, scratch));
}

void Switchboard::forget(ChatId id) {
  if (const auto found = m_chats.find(id); found != m_chats.end()) count(found->second, -1);
  m_chats.erase(id);
  m_transfers.erase(id);
  m_last.erase(id);
  m_offers.erase(id);
  m_open.erase(id);
  m_away.erase(id);
  m_dropped.erase(id);
}

void Switchboard::index_open(const Chat& chat) {
  if (chat.state == ChatState::open) {
    m_open.insert(chat.id);
  } else {
    m_open.erase(chat.id);
  }
}

}  // namespace seshat::core
