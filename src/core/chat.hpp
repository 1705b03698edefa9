#pragma once
// The vocabulary of a chat: its id, its life cycle, who wrote a message.
// Pure data, shared by every layer; knows no I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seshat::core {

using ChatId = std::int64_t;
using Seq = std::int64_t;  // per-chat message sequence number, 1, 2, 3, ...

// The life cycle of a chat: waiting and notified are requests, open is a chat an operator
// handles, the rest are final. The moves between them are a table: core/chat_machine.hpp.
enum class ChatState { waiting, notified, open, closed, canceled, failed, abandoned };

[[nodiscard]] std::string_view to_string(ChatState state);
[[nodiscard]] std::optional<ChatState> chat_state_from_string(std::string_view text);
// closed, canceled, failed and abandoned are final: nothing leaves them.
[[nodiscard]] bool is_final(ChatState state);
// waiting and notified: a request that an operator may still accept or cancel.
[[nodiscard]] bool is_request(ChatState state);
// The state a visitor sees: waiting (waiting/notified), open, or closed (every final one).
enum class VisitorStatus { waiting, open, closed };
[[nodiscard]] VisitorStatus visitor_status(ChatState state);
// "waiting", "open", "closed": as the API and the client libraries spell it.
[[nodiscard]] std::string_view to_string(VisitorStatus status);
[[nodiscard]] std::optional<VisitorStatus> visitor_status_from_string(std::string_view text);

enum class Author { visitor, operator_, system };
[[nodiscard]] std::string_view to_string(Author author);
[[nodiscard]] std::optional<Author> author_from_string(std::string_view text);

// What the core remembers of one live chat.
struct Chat {
  ChatId id = 0;
  ChatState state = ChatState::waiting;
  std::string visitor_name;
  std::string opening_message;        // may be empty
  std::string page;                   // the page the visitor came from; may be empty
  std::string email;                  // the visitor's email address (checked); may be empty
  std::string operator_jid;           // bare JID of the handling operator; empty unless open
  std::vector<std::string> notified;  // bare JIDs of operators told about the request
  bool told_held = false;  // the visitor was told that their messages wait for an operator
  // A request whose visitor left (visitor_timeout) after writing: it stays in the queue until
  // an operator takes it, and once taken stays open until !FINISH. Stored with the chat.
  bool left_message = false;
  // The visitor's page has been gone visitor_grace: the operator was told, and the chat does
  // not take up the operator's slot. Not stored: the broker derives it from visitor_seen_at.
  bool visitor_away = false;
  std::int64_t created_at = 0;  // Unix milliseconds; 0 when unknown
  std::string language;         // BCP 47 tag the visitor's page gave ("de-AT"); empty: not known
};

// What an operator's XMPP message says about itself, beyond its text: its stanza id (what
// receipts, markers and corrections refer to) and the extensions it asked for. Parsed in src/xmpp.
struct OperatorStanza {
  std::string id{};            // the stanza's id; "" when it had none
  std::string replaces{};      // XEP-0308: the id of the message this one corrects; "" if none
  bool wants_receipt = false;  // XEP-0184 <request/>: answer <received/> once the page has it
  bool markable = false;       // XEP-0333 <markable/>: answer <displayed/> once the visitor saw it
  bool retraction = false;     // XEP-0424: it withdraws the message `replaces` (text: none)

  bool operator==(const OperatorStanza&) const = default;
};

}  // namespace seshat::core
