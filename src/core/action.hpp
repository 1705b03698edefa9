#pragma once
// Actions: what the core wants done. The app layer applies the actions of one event in one
// store transaction (so they all happen or none do), then lets the XMPP side send the outbox.

#include <string>
#include <variant>
#include <vector>

#include "core/chat.hpp"

namespace seshat::core {

// Move a chat from `from` to `to`. Guarded: the store applies it only if the chat is still in
// `from`; otherwise the whole batch is rejected and the event is handled again on fresh state.
// `operator_jid` is the handling operator when `to` is open, empty otherwise.
struct SetState {
  ChatId chat = 0;
  ChatState from = ChatState::waiting;
  ChatState to = ChatState::waiting;
  std::string operator_jid;

  bool operator==(const SetState&) const = default;
};

// Send a text to an operator (bare JID) over XMPP, through the durable outbox.
// `chat` is the chat it is about, 0 when it is about none.
struct SendToOperator {
  std::string jid;
  std::string text;
  ChatId chat = 0;

  bool operator==(const SendToOperator&) const = default;
};

// Append a message to the chat's log, which the visitor reads. An operator's message also
// carries their display name, the full JID it came from and its stanza (receipts, markers, and
// corrections: the store makes it replace the message of that operator in that chat whose
// stanza id `stanza.replaces` names, or takes it as a new message when it knows none).
struct PostToChat {
  ChatId chat = 0;
  Author from = Author::system;
  std::string text;
  std::string name{};          // operator messages: the display name the visitor sees
  std::string operator_jid{};  // operator messages: full JID of the sender
  OperatorStanza stanza{};     // operator messages

  bool operator==(const PostToChat&) const = default;
};

// The visitor messages of `chat` up to and including `seq` went to its operator; the broker
// resumes after it.
struct MarkRelayed {
  ChatId chat = 0;
  Seq seq = 0;

  bool operator==(const MarkRelayed&) const = default;
};

// The visitor of request `chat` was told that their messages wait for an operator. From now
// on they wait in the store, unread by the broker, until an operator accepts (RelayBacklog).
struct HoldMessages {
  ChatId chat = 0;

  bool operator==(const HoldMessages&) const = default;
};

// Send to `jid`, the operator who accepted `chat`, every visitor message of it so far, oldest
// first, through the outbox; all of them count as relayed from then on.
struct RelayBacklog {
  ChatId chat = 0;
  std::string jid;
  std::string prefix{};  // put before each line: "[#42 customer] " (Switchboard::line_prefix)

  bool operator==(const RelayBacklog&) const = default;
};

// An operator's availability changed (for the availability API and metrics).
struct SetOperatorAvailable {
  std::string jid;
  bool available = false;

  bool operator==(const SetOperatorAvailable&) const = default;
};

// Whether an operator is free: available, with fewer than max_chats chats (for the
// availability API). The broker writes these when the Switchboard's answer changes.
struct SetOperatorFree {
  std::string jid;
  bool free = false;

  bool operator==(const SetOperatorFree&) const = default;
};

// Request `chat` became a left message (its visitor left after writing), or stopped being one
// (the visitor came back). Stored with the chat.
struct MarkLeftMessage {
  ChatId chat = 0;
  bool left = true;

  bool operator==(const MarkLeftMessage&) const = default;
};

// The switchboard's own bookkeeping, nothing to store:
// the visitor's page of `chat` is away (gone visitor_grace) or back;
struct SetVisitorAway {
  ChatId chat = 0;
  bool away = true;

  bool operator==(const SetVisitorAway&) const = default;
};
// `jid` was told of `chats` (one notification each, or one summary), at the board's time;
struct Offered {
  std::string jid;
  std::vector<ChatId> chats;

  bool operator==(const Offered&) const = default;
};
// `jid` will hear of `chat` in a summary (a rush: more than 3 requests within 10 s);
struct DeferOffer {
  std::string jid;
  ChatId chat = 0;

  bool operator==(const DeferOffer&) const = default;
};
// the visitor of open `chat` was told that the operator's connection dropped (or, `dropped`
// false, that the operator is back).
struct MarkDropped {
  ChatId chat = 0;
  bool dropped = true;

  bool operator==(const MarkDropped&) const = default;
};

// The operator of `chat` is shown to the visitor as `name` (from now on).
struct SetOperatorName {
  ChatId chat = 0;
  std::string name;

  bool operator==(const SetOperatorName&) const = default;
};

// The operator of `chat` is typing (or stopped): the visitor's page shows it.
struct SetOperatorTyping {
  ChatId chat = 0;
  bool typing = false;

  bool operator==(const SetOperatorTyping&) const = default;
};

// Tell `jid`, the operator of `chat`, that its visitor is typing (or stopped): a XEP-0085 chat
// state, sent at once if the bot is connected and never later (not through the outbox). The
// store records that this state of the visitor was handled.
struct SendTyping {
  ChatId chat = 0;
  std::string jid;
  bool typing = false;

  bool operator==(const SendTyping&) const = default;
};

// --- an operator's several chats, transfers, lookups (issue 17) ---

// `jid`'s current chat (where their plain text goes) is `chat` from now on. Bookkeeping.
struct SetCurrent {
  std::string jid;
  ChatId chat = 0;

  bool operator==(const SetCurrent&) const = default;
};

// Open `chat` is offered to operator `to` by its operator (!TRANSFER n jid); `to` empty: the
// offer is withdrawn. Bookkeeping: the chat stays with its operator until `to` accepts.
struct OfferTransfer {
  ChatId chat = 0;
  std::string to;

  bool operator==(const OfferTransfer&) const = default;
};

// Send `jid` a page (1 = the newest lines) of the transcript of `chat`. The app reads the
// messages from the store and turns this into a SendToOperator (texts::history) before the
// store applies the batch. `window`: the chat the answer is about (component mode), else 0.
struct SendHistory {
  std::string jid;
  ChatId chat = 0;
  int page = 1;
  ChatId window = 0;

  bool operator==(const SendHistory&) const = default;
};

// Send `jid` what is known of the visitor of `chat` (!INFO); resolved by the app like
// SendHistory (texts::visitor_info), with the address only when configured (show_ip).
struct SendInfo {
  std::string jid;
  ChatId chat = 0;
  ChatId window = 0;

  bool operator==(const SendInfo&) const = default;
};

// !BLOCK / !UNBLOCK: refuse new chats from the browser (`visitor` id) and address of `chat` for
// block_hours, or lift that. The app writes the block and turns this into the SendToOperator
// telling `jid` the outcome (texts::blocked ...), like SendHistory.
struct BlockVisitor {
  std::string jid;
  ChatId chat = 0;
  bool block = true;  // false: unblock
  ChatId window = 0;

  bool operator==(const BlockVisitor&) const = default;
};

// Input that was deliberately not acted on; the app logs `reason`.
struct Ignore {
  std::string reason;

  bool operator==(const Ignore&) const = default;
};

using Action =
    std::variant<SetState, SendToOperator, PostToChat, MarkRelayed, HoldMessages, RelayBacklog,
                 SetOperatorAvailable, SetOperatorFree, MarkLeftMessage, SetVisitorAway, Offered,
                 DeferOffer, MarkDropped, SetOperatorName, SetOperatorTyping, SendTyping,
                 SetCurrent, OfferTransfer, SendHistory, SendInfo, BlockVisitor, Ignore>;
using Actions = std::vector<Action>;

// `actions` with every SendToOperator whose text is over texts::k_max_message_bytes (a long
// !WAITING, a page of long lines of history) made several, in order: a server closes the
// stream of a client that sends a stanza over its limit, and the bot would only send it again.
[[nodiscard]] Actions fit_to_stanzas(Actions actions);

}  // namespace seshat::core
