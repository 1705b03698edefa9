#pragma once
// The store: chats, their messages, the outbox toward operators, operator availability.
// Durable; one interface, one implementation per database (sqlite_store.cpp; PostgreSQL later).
// No database type appears here.
//
// Lifetime and threads: one Store is one database connection. Use it from one thread at a
// time; open one per thread or process that needs it. Several Stores (in several processes)
// may share one database: every write is a transaction, and guarded transitions make races
// safe (two operators accepting the same chat: one wins).
//
// Failures of the database itself (disk full, corrupt file, busy past the timeout) throw
// StoreError; outcomes a caller must expect (no such chat, chat closed) are return values.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/action.hpp"
#include "core/chat.hpp"

namespace seshat::store {

using core::ChatId;
using core::Seq;

class StoreError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

using Millis = std::int64_t;  // milliseconds since the Unix epoch (UTC)

struct ChatRecord {
  core::Chat chat;         // id, state, visitor name, opening message, page, operator
  std::string token_hash;  // what the visitor's token hashes to (never the token itself)
  Seq last_seq = 0;        // highest message seq in this chat (0: none yet)
  Seq relayed_seq = 0;     // visitor messages up to here went to an operator
  std::optional<core::ChatState> broker_seen;  // state the broker last acted on (none: new)
  Millis created_at = 0;
  Millis visitor_seen_at = 0;   // last time the visitor's page was heard from
  Seq handed_seq = 0;           // the visitor's page got the messages up to here
  Seq read_seq = 0;             // the visitor saw the messages up to here
  std::string operator_name{};  // the display name of its (last) operator
  bool operator_typing = false;
};

struct Message {
  Seq seq = 0;
  core::Author from = core::Author::system;
  std::string text;
  Millis at = 0;
  std::optional<Seq> replaces{};  // an operator's correction of message `replaces`
  std::string name{};             // operator messages: the operator's display name
};

struct NewChat {
  std::string visitor_name;
  std::string opening_message;  // stored as the visitor's first message when not empty
  std::string page;
  std::string token_hash;
};

// What an outbox row sends: a text, or an acknowledgement of an operator's message.
enum class OutboxKind {
  message,    // `text` as a chat message
  received,   // XEP-0184 <received id=ref/>: the visitor's page got the operator's message
  displayed,  // XEP-0333 <displayed id=ref/>: the visitor saw it (and everything before)
};

struct OutboxItem {
  std::int64_t id = 0;  // increasing; also the stable XMPP message id on every (re)send
  std::string jid;      // bare JID of the operator (full JID for acknowledgements)
  std::string text;
  ChatId chat = 0;  // 0 when about no chat
  OutboxKind kind = OutboxKind::message;
  std::string ref{};  // acknowledgements: the id of the operator's stanza
};

enum class AddResult { added, no_such_chat, chat_final };
struct Added {
  AddResult result = AddResult::added;
  Seq seq = 0;  // when added
};

// The broker acknowledges that it acted on the chat's current state (a new chat, a close by
// the visitor), so that it is not reported as pending again.
struct SeenState {
  ChatId chat = 0;
  core::ChatState state = core::ChatState::waiting;
};

// Work the broker has not done yet.
struct Pending {
  std::vector<ChatRecord> changed_chats;  // state differs from broker_seen (new, visitor-closed)
  struct VisitorMessage {
    ChatId chat = 0;
    Message message;
  };
  // Beyond relayed_seq, in order: of open chats, and of requests whose visitor was not yet told
  // that messages wait (see core::HoldMessages).
  std::vector<VisitorMessage> visitor_messages;
  struct VisitorTyping {
    ChatId chat = 0;
    bool typing = false;
  };
  // Chats whose visitor's typing changed since the broker last handled it (core::SendTyping).
  std::vector<VisitorTyping> visitor_typing;
};

// Writes made until commit() become durable together: one commit for many requests. Each write
// inside still succeeds or fails on its own. Dropped without commit(), all of them roll back.
class Batch {
 public:
  virtual ~Batch() = default;
  // Throws StoreError; then nothing written in the batch was stored.
  virtual void commit() = 0;
  // False once SQLite rolled the batch back by itself (disk full, I/O error): whatever was
  // written since is not part of it.
  [[nodiscard]] virtual bool intact() const = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Starts a batch on this store's connection (none may be open already). Its owner calls
  // checkpoint_if_due() once the callers of its writes were answered.
  [[nodiscard]] virtual std::unique_ptr<Batch> begin_batch() = 0;
  // Housekeeping outside any batch: copies the database's log into its file if a commit found
  // the log full. Other writes (neither a batch nor apply()) do it themselves after committing.
  virtual void checkpoint_if_due() = 0;

  // --- the visitor's side (client library, HTTP gateway) ---
  [[nodiscard]] virtual ChatId create_chat(const NewChat& chat) = 0;
  [[nodiscard]] virtual std::optional<ChatRecord> find_chat(ChatId id) = 0;
  // Appends a message (any author) with the next seq, unless the chat is final.
  [[nodiscard]] virtual Added add_message(ChatId chat, core::Author from,
                                          const std::string& text) = 0;
  // Messages with seq > after, oldest first, at most `limit`.
  [[nodiscard]] virtual std::vector<Message> messages_after(ChatId chat, Seq after, int limit) = 0;
  // The visitor ends a live chat: state closed and the system message `text`, atomically.
  // False if the chat is unknown or already final.
  [[nodiscard]] virtual bool close_by_visitor(ChatId chat, const std::string& text) = 0;
  virtual void touch_visitor(ChatId chat, Millis now) = 0;
  [[nodiscard]] virtual int available_operators() = 0;
  // The visitor's page got the chat's messages up to `seq` (a read returned them, an event
  // stream is writing them): queues in the outbox a XEP-0184 receipt for each operator message
  // up to there that asked for one and was not handed before. Returns how many were queued.
  virtual int hand_up(ChatId chat, Seq seq) = 0;
  // The visitor saw the messages up to `seq`: hands them up, and queues one XEP-0333 displayed
  // marker for the last markable operator message up to there not seen before. Returns how many
  // outbox rows were queued. The caller checked that `seq` is at most the chat's last_seq.
  virtual int mark_read(ChatId chat, Seq seq) = 0;
  // Records whether the visitor is typing; false when that is what the store had already.
  virtual bool set_visitor_typing(ChatId chat, bool typing) = 0;

  // --- the broker's side ---
  [[nodiscard]] virtual std::vector<ChatRecord> live_chats() = 0;  // not final, oldest first
  // Live chats whose visitor was last seen before `seen_before`, and requests (waiting,
  // notified) created before `created_before`; oldest first. Filtered in the database: the
  // broker asks every second, with thousands of idle chats open.
  [[nodiscard]] virtual std::vector<ChatRecord> overdue_chats(Millis seen_before,
                                                              Millis created_before) = 0;
  [[nodiscard]] virtual Pending pending() = 0;
  // Applies one batch of core actions (and optionally a SeenState) in one transaction.
  // Returns false and changes nothing if a SetState's `from` no longer matches the store.
  // Like a batch, it leaves a checkpoint to its caller, who announces the change first.
  [[nodiscard]] virtual bool apply(const core::Actions& actions,
                                   std::optional<SeenState> seen = std::nullopt) = 0;
  // Undelivered outbox rows with ids above `after_id`, oldest first, at most `limit`.
  [[nodiscard]] virtual std::vector<OutboxItem> undelivered(std::int64_t after_id, int limit) = 0;
  virtual void mark_delivered(const std::vector<std::int64_t>& outbox_ids) = 0;
  // Every operator unavailable (the broker starts, or lost its XMPP connection).
  virtual void reset_operators() = 0;

  // --- change detection across processes ---
  // A number that changes whenever another connection commits (SQLite's data_version).
  [[nodiscard]] virtual std::int64_t data_version() = 0;
};

// Opens (creating when missing, migrating when older) the SQLite database at `path`.
// Refuses, with StoreError, a schema newer than this binary knows.
[[nodiscard]] std::unique_ptr<Store> open_sqlite_store(const std::string& path);

}  // namespace seshat::store
