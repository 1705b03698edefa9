// Fuzzes the broker's pure logic: core::parse_command and a core::Switchboard fed a stream of
// events the way the broker feeds it (handle, then commit as if the store accepted the batch).
// After every event it checks what the rest of the system relies on: no SetState from a state
// the chat is not in, only lawful transitions, at most one open chat per operator, no empty
// text, nothing ever sent to an XMPP account that is not a configured operator.
//
// Input: lines ('\n'). A line's first byte says what happened, the rest is its data:
//   O<who><text>   an XMPP message from sender <who> with body <text>
//   P<who><show>   a presence of <who>; <show>: a c w x d u (available chat away xa dnd
//   unavailable) C<name>        a visitor opens a chat, which gets the next id (1, 2, ...);
//                  <name> may go on with "|opening message|page"
//   V<id><text>    a visitor message in chat <id>
//   X<id>          the visitor closed chat <id>
//   N<id>          the visitor vanished from chat <id>
//   T<id>          nobody accepted chat <id> in time
//   L              the XMPP connection was lost
//   S              presence settled after a reconnect
// <who> and <id>: '0'..'9' mean 0..9, any other byte its own value (ids) or its value modulo the
// number of senders. Any other first byte picks an event kind by its value, so that every input
// means something.

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/command.hpp"
#include "core/switchboard.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace seshat::core;
using seshat::fuzz::require;

// The configured operators, as the seed's `localusers` would list them.
const std::vector<std::string> k_operators = {"joe@example.com", "bob@example.com",
                                              "Ann@Example.com"};

// Who can send a message or a presence: operators on several resources and written in several
// ways, and accounts that are not operators.
constexpr std::array<std::string_view, 10> k_senders = {"joe@example.com/laptop",
                                                        "joe@example.com/phone",
                                                        "bob@example.com/gajim",
                                                        "ann@example.com",
                                                        "JOE@Example.COM/Laptop",
                                                        "mallory@evil.example/x",
                                                        " bob@example.com/dino ",
                                                        "",
                                                        "example.com",
                                                        "joe@example.com/"};

constexpr std::array<Show, 6> k_shows = {Show::available, Show::chat, Show::away,
                                         Show::xa,        Show::dnd,  Show::unavailable};

unsigned small_number(unsigned char byte) {
  return byte >= '0' && byte <= '9' ? byte - '0' : byte;
}

Show show_of(unsigned char byte) {
  switch (byte) {
    case 'a':
      return Show::available;
    case 'c':
      return Show::chat;
    case 'w':
      return Show::away;
    case 'x':
      return Show::xa;
    case 'd':
      return Show::dnd;
    case 'u':
      return Show::unavailable;
    default:
      return k_shows[byte % k_shows.size()];
  }
}

bool is_lower_bare(std::string_view jid) {
  for (const char c : jid) {
    if (c == '/' || std::isspace(static_cast<unsigned char>(c)) ||
        std::tolower(static_cast<unsigned char>(c)) != c)
      return false;
  }
  return !jid.empty();
}

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

// Builds the events of one input, numbering chats and visitor messages as the store would.
class EventReader {
 public:
  // nullopt for a line that is no event (a blank visitor message, which the API refuses).
  std::optional<Event> read(std::string_view line) {
    if (line.empty()) return std::nullopt;
    const unsigned char kind = static_cast<unsigned char>(line.front());
    const std::string_view data = line.substr(1);
    const unsigned char first = data.empty() ? '0' : static_cast<unsigned char>(data.front());
    const std::string_view rest = data.empty() ? data : data.substr(1);
    constexpr std::string_view k_kinds = "OPCVXNTLS";
    const auto known = k_kinds.find(static_cast<char>(kind));
    const char chosen =
        known != std::string_view::npos ? static_cast<char>(kind) : k_kinds[kind % k_kinds.size()];
    switch (chosen) {
      case 'O':
        return OperatorMessage{std::string(sender(first)), std::string(rest)};
      case 'P':
        return PresenceChanged{std::string(sender(first)),
                               show_of(rest.empty() ? 'a' : static_cast<unsigned char>(rest[0]))};
      case 'C':
        return opened(data);
      case 'V': {
        if (std::all_of(rest.begin(), rest.end(), is_space)) return std::nullopt;
        const ChatId chat = small_number(first);
        return VisitorMessage{chat, ++m_seqs[chat], std::string(rest)};
      }
      case 'X':
        return VisitorClosed{static_cast<ChatId>(small_number(first))};
      case 'N':
        return VisitorVanished{static_cast<ChatId>(small_number(first))};
      case 'T':
        return AcceptTimedOut{static_cast<ChatId>(small_number(first))};
      case 'L':
        return ConnectionLost{};
      default:
        return PresenceSettled{};
    }
  }

  [[nodiscard]] ChatId last_id() const { return m_next_id - 1; }

 private:
  static std::string_view sender(unsigned char byte) {
    return k_senders[small_number(byte) % k_senders.size()];
  }

  ChatOpened opened(std::string_view data) {
    Chat chat;
    chat.id = m_next_id++;
    const auto bar = data.find('|');
    chat.visitor_name = std::string(data.substr(0, bar));
    if (chat.visitor_name.empty()) chat.visitor_name = "customer";  // the API requires a name
    if (bar != std::string_view::npos) {
      const auto rest = data.substr(bar + 1);
      const auto second = rest.find('|');
      chat.opening_message = std::string(rest.substr(0, second));
      if (second != std::string_view::npos) chat.page = std::string(rest.substr(second + 1));
    }
    return ChatOpened{std::move(chat)};
  }

  ChatId m_next_id = 1;
  std::map<ChatId, Seq> m_seqs;
};

// The life cycle of core/chat.hpp, plus open -> notified (an open chat whose operator left is
// offered again at once when someone else is available).
bool is_lawful(ChatState from, ChatState to) {
  if (is_final(from)) return false;
  // A transfer (!TRANSFER n jid, then the other operator's !ACCEPT n): open -> open.
  if (from == to) return from == ChatState::open;
  switch (to) {
    case ChatState::waiting:
      return from == ChatState::open;
    case ChatState::notified:
      return from == ChatState::waiting || from == ChatState::open;
    case ChatState::open:
      return is_request(from);
    case ChatState::canceled:
      return is_request(from);
    case ChatState::failed:
      return is_request(from);
    case ChatState::closed:
      return true;
    case ChatState::abandoned:
      return true;
  }
  return false;
}

void check_parse_command(std::string_view text) {
  const auto line = parse_command(text);
  std::string_view trimmed = text;
  while (!trimmed.empty() && is_space(trimmed.front())) trimmed.remove_prefix(1);
  require(line.has_value() == (!trimmed.empty() && trimmed.front() == '!'),
          "parse_command recognises exactly the texts that start with '!'", text);
  if (!line) return;
  for (const char c : line->verb) {
    require(!is_space(c), "a command verb has no white space", line->verb);
    require(std::toupper(static_cast<unsigned char>(c)) == static_cast<unsigned char>(c),
            "a command verb is upper case", line->verb);
  }
  const auto& argument = line->argument;
  require(argument.empty() || (!is_space(argument.front()) && !is_space(argument.back())),
          "a command argument is trimmed", argument);
}

std::string_view sender_of(const Event& event) {
  if (const auto* message = std::get_if<OperatorMessage>(&event)) return message->from;
  if (const auto* presence = std::get_if<PresenceChanged>(&event)) return presence->from;
  return {};
}

template <class A>
bool contains_action(const Actions& actions, const A& wanted) {
  return std::find(actions.begin(), actions.end(), Action{wanted}) != actions.end();
}

// Nothing lost: a visitor's message in an open chat goes to its operator; in a request it stays
// unrelayed in the store (the visitor is told once) until an operator accepts, and accepting
// sends the whole backlog. An operator's non-blank message always gets an answer or reaches
// their chat.
void check_nothing_dropped(const Switchboard& board, const Event& event, const Actions& actions) {
  for (const auto& action : actions) {
    const auto* change = std::get_if<SetState>(&action);
    if (change != nullptr && change->to == ChatState::open && is_request(change->from))
      require(contains_action(actions, RelayBacklog{change->chat, change->operator_jid}),
              "accepting a chat sends its operator the visitor's messages so far");
  }
  if (const auto* message = std::get_if<VisitorMessage>(&event)) {
    const auto* chat = board.find(message->chat);
    if (chat == nullptr) return;
    if (chat->state == ChatState::open) {
      require(contains_action(actions, MarkRelayed{chat->id, message->seq}),
              "a visitor message relayed in an open chat is marked relayed");
      require(contains_action(actions, SendToOperator{chat->operator_jid, message->text, chat->id}),
              "a visitor message in an open chat goes to its operator as typed");
      return;
    }
    require(std::none_of(
                actions.begin(), actions.end(),
                [](const Action& action) { return std::holds_alternative<MarkRelayed>(action); }),
            "a held visitor message is not marked relayed before an operator has it");
    if (!chat->told_held)
      require(contains_action(actions, HoldMessages{chat->id}),
              "the visitor of a request is told once that messages wait");
  } else if (const auto* typed = std::get_if<OperatorMessage>(&event)) {
    const auto jid = split_jid(typed->from).bare;
    if (!board.is_operator(jid) || std::all_of(typed->text.begin(), typed->text.end(), is_space))
      return;
    const bool answered = std::any_of(actions.begin(), actions.end(), [](const Action& action) {
      return std::holds_alternative<SendToOperator>(action) ||
             std::holds_alternative<PostToChat>(action) ||
             std::holds_alternative<SendHistory>(action) ||
             std::holds_alternative<SendInfo>(action) ||
             std::holds_alternative<BlockVisitor>(action);
    });
    require(answered, "an operator's message is never dropped silently", typed->text);
  }
}

// The actions handle() returned for `event`, judged against the board they were decided on.
void check_actions(const Switchboard& board, const Event& event, const Actions& actions) {
  const bool from_xmpp = std::holds_alternative<OperatorMessage>(event) ||
                         std::holds_alternative<PresenceChanged>(event);
  const auto sender = split_jid(sender_of(event)).bare;
  if (from_xmpp && !board.is_operator(sender)) {
    for (const auto& action : actions)
      require(std::holds_alternative<Ignore>(action), "a stranger's stanza is only ignored",
              sender);
  }

  check_nothing_dropped(board, event, actions);

  std::map<ChatId, ChatState> state;  // as the store will have it while applying the batch
  std::map<ChatId, std::string> opened_by;
  // A new chat joins the board only at commit, but its own actions are about it already.
  if (const auto* opened = std::get_if<ChatOpened>(&event); opened && !board.find(opened->chat.id))
    state[opened->chat.id] = opened->chat.state;
  const auto current = [&](ChatId id) -> std::optional<ChatState> {
    if (const auto found = state.find(id); found != state.end()) return found->second;
    if (const auto* chat = board.find(id)) return chat->state;
    return std::nullopt;
  };

  for (const auto& action : actions) {
    if (const auto* change = std::get_if<SetState>(&action)) {
      const auto now = current(change->chat);
      require(now.has_value(), "a SetState names a live chat");
      require(*now == change->from, "a SetState's `from` is the chat's current state",
              std::string(to_string(*now)) + " vs " + std::string(to_string(change->from)));
      require(is_lawful(change->from, change->to), "a SetState is a lawful transition",
              std::string(to_string(change->from)) + " -> " + std::string(to_string(change->to)));
      if (change->to == ChatState::open) {
        require(board.is_operator(change->operator_jid) && is_lower_bare(change->operator_jid),
                "a chat opens for a configured operator's bare JID", change->operator_jid);
        require(board.has_room(change->operator_jid) && !opened_by.contains(change->chat),
                "an operator at max_chats does not get another chat", change->operator_jid);
        opened_by[change->chat] = change->operator_jid;
      } else {
        require(change->operator_jid.empty(), "only an opening SetState names an operator");
      }
      state[change->chat] = change->to;
    } else if (const auto* sent = std::get_if<SendToOperator>(&action)) {
      require(board.is_operator(sent->jid) && is_lower_bare(sent->jid),
              "texts go only to configured operators' bare JIDs", sent->jid);
      require(!sent->text.empty(), "a text to an operator is never empty");
    } else if (const auto* posted = std::get_if<PostToChat>(&action)) {
      require(!posted->text.empty(), "a text to a visitor is never empty");
      require(current(posted->chat).has_value(), "a text is posted only to a live chat");
      if (posted->from == Author::operator_) {
        const auto* message = std::get_if<OperatorMessage>(&event);
        require(message != nullptr, "an operator's text in a chat log comes from an operator");
        // As typed; or "#42 text" (to chat 42, without "#42 "); or a canned reply (!SAY).
        const auto& typed = message->text;
        const auto start = typed.find_first_not_of(" \t\r\n");
        const bool command = start != std::string::npos && typed[start] == '!';
        const bool addressed = !typed.empty() && typed.front() == '#' &&
                               typed.size() > posted->text.size() && typed.ends_with(posted->text);
        require(typed == posted->text || addressed || command,
                "an operator's text in a chat log is what they typed");
        const auto* chat = board.held_chat(sender, posted->chat);
        require(chat != nullptr, "an operator's text goes to a chat they handle");
      }
    } else if (const auto* relayed = std::get_if<MarkRelayed>(&action)) {
      const auto* message = std::get_if<VisitorMessage>(&event);
      require(message != nullptr && message->chat == relayed->chat && message->seq == relayed->seq,
              "MarkRelayed names the visitor message being handled");
    } else if (const auto* backlog = std::get_if<RelayBacklog>(&action)) {
      const auto opener = opened_by.find(backlog->chat);
      require(opener != opened_by.end() && opener->second == backlog->jid,
              "the backlog goes to the operator who just opened the chat", backlog->jid);
    } else if (const auto* availability = std::get_if<SetOperatorAvailable>(&action)) {
      require(board.is_operator(availability->jid) && is_lower_bare(availability->jid),
              "availability is tracked for configured operators only", availability->jid);
    } else if (const auto* ignored = std::get_if<Ignore>(&action)) {
      require(!ignored->reason.empty(), "an ignored input says why");
    }
  }
}

// The board after commit: only live chats, each open one with its own configured operator.
void check_board(const Switchboard& board, ChatId last_id) {
  std::map<std::string, ChatId> handling;
  for (const auto* chat : board.open_chats()) {
    require(chat->state == ChatState::open, "open_chats() lists open chats");
    require(board.is_operator(chat->operator_jid), "an open chat has a configured operator",
            chat->operator_jid);
    const auto [where, first] = handling.emplace(chat->operator_jid, chat->id);
    require(first, "an operator has at most one open chat", chat->operator_jid);
    const auto* theirs = board.chat_of(chat->operator_jid);
    require(theirs != nullptr && theirs->id == chat->id, "chat_of() finds the operator's chat");
  }
  for (const auto* chat : board.requests()) {
    require(is_request(chat->state), "requests() lists requests");
    require(chat->operator_jid.empty(), "nobody handles a request");
    for (const auto& jid : chat->notified)
      require(board.is_operator(jid), "only operators are notified of a request", jid);
  }
  for (ChatId id = 0; id <= last_id + 1; ++id) {
    if (const auto* chat = board.find(id))
      require(!is_final(chat->state), "the board holds live chats only");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Switchboard board(k_operators);
  EventReader reader;
  std::size_t start = 0;
  while (start <= input.size()) {
    auto end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    const auto line = input.substr(start, end - start);
    start = end + 1;

    const auto event = reader.read(line);
    if (!event) continue;
    if (const auto* message = std::get_if<OperatorMessage>(&*event))
      check_parse_command(message->text);
    const auto actions = board.handle(*event);
    check_actions(board, *event, actions);
    board.commit(*event, actions);
    check_board(board, reader.last_id());
  }
  return 0;
}
