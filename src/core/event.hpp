#pragma once
// Events: what happened outside the core. The app layer turns store rows, XMPP stanzas and
// timers into these and feeds them to Switchboard::handle.

#include <string>
#include <variant>
#include <vector>

#include "core/chat.hpp"
#include "core/presence.hpp"

namespace seshat::core {

// A visitor started a chat (the row already exists in the store, in state waiting).
struct ChatOpened {
  Chat chat;
};

// A visitor's message, already stored with its sequence number.
struct VisitorMessage {
  ChatId chat = 0;
  Seq seq = 0;
  std::string text;
};

// The visitor closed the chat themselves (API close); the store already says closed.
struct VisitorClosed {
  ChatId chat = 0;
};

// The visitor has not been seen for longer than the configured time (visitor_timeout).
// `wrote`: the visitor wrote something in the chat (an opening text or a message).
struct VisitorVanished {
  ChatId chat = 0;
  bool wrote = false;
};

// The visitor's page has been gone visitor_grace (VisitorAway), or is back (VisitorBack).
struct VisitorAway {
  ChatId chat = 0;
};
struct VisitorBack {
  ChatId chat = 0;
};

// Nobody accepted the chat within the configured time.
struct AcceptTimedOut {
  ChatId chat = 0;
};

// Whether a message's text is what its author wrote, or the fallback of an encrypted payload
// (OMEMO, OpenPGP for XMPP, legacy jabber:x:encrypted, XEP-0380, OTR) that nobody here can read.
enum class Payload { plain, encrypted };

// A XEP-0085 chat state carried by a message: typing (composing) or not (paused, active, ...).
enum class Typing { none, typing, stopped };

// A chat message arrived over XMPP. `from` is the full JID as the server gave it. `text` is
// empty for a message that only carries a chat state.
struct OperatorMessage {
  std::string from;
  std::string text;
  Payload payload = Payload::plain;
  Typing typing = Typing::none;
  OperatorStanza stanza{};
  // Component mode: the chat whose own address the message was sent to; 0 when sent to the
  // bot's account.
  ChatId window = 0;
};

// Where an operator's display name came from; a nickname (XEP-0172) wins over the vCard.
enum class NameSource { vcard, nick };

// The operator `from` (any resource) is called `name`.
struct OperatorNamed {
  std::string from;
  std::string name;
  NameSource source = NameSource::nick;
};

// The visitor of `chat` started (true) or stopped (false) typing; the store has it.
struct VisitorTyping {
  ChatId chat = 0;
  bool typing = false;
};

// A presence stanza for one resource of a JID (full JID in `from`).
struct PresenceChanged {
  std::string from;
  Show show = Show::unavailable;
  int priority = 0;  // <priority/>, -128..127
};

// The XMPP connection was lost: nobody's presence is known until it arrives again after the
// reconnect. Chats are left as they are.
struct ConnectionLost {};

// Presence has settled: a grace period has passed since the bot (re)connected
// (reconnect_grace) or an operator went offline (operator_grace). An open chat of one of
// `operators` (all of them when empty) whose operator is not online now goes back to the queue.
struct PresenceSettled {
  std::vector<std::string> operators;  // bare JIDs; empty: every operator
};

// Time passed: request summaries held back for a rush (Switchboard::summary_due) are due.
struct SummaryDue {};

using Event =
    std::variant<ChatOpened, VisitorMessage, VisitorClosed, VisitorVanished, AcceptTimedOut,
                 OperatorMessage, PresenceChanged, ConnectionLost, PresenceSettled, VisitorAway,
                 VisitorBack, SummaryDue, OperatorNamed, VisitorTyping>;

}  // namespace seshat::core
