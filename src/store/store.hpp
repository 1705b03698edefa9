#pragma once
// The store: chats, their messages, the outbox toward operators, operator availability.
// Durable; one interface, one implementation per database (sqlite_store.cpp, pg_store.cpp).
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
#include <utility>
#include <vector>

#include "core/action.hpp"
#include "core/chat.hpp"
#include "core/relay.hpp"

namespace seshat::store {

using core::ChatId;
using core::Seq;

class StoreError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

using Millis = std::int64_t;  // milliseconds since the Unix epoch (UTC)

// Presence held by a gateway (see Store::hold_visitor): while a gateway holds a visitor's event
// stream open, the chat's visitor_seen_at is this, a moment that never comes, so the page counts
// as there without a write per heartbeat. The gateway refreshes its own row every
// k_gateway_refresh_ms; one not refreshed for k_gateway_stale_ms is reaped by the broker.
constexpr Millis k_held = 9'999'999'999'999;  // 2286-11-20
constexpr Millis k_gateway_refresh_ms = 2'000;
constexpr Millis k_gateway_stale_ms = 10'000;

// Visitor messages per network are counted in steps of this (Store::record_visitor_send): a
// count of the last minute sums at most seven rows, however much the network sent. Steps older
// than k_send_memory_ms are forgotten, at most once a step (a count's rows move on by steps).
constexpr Millis k_send_step_ms = 10'000;
constexpr Millis k_send_memory_ms = 60'000;
[[nodiscard]] constexpr Millis send_step_of(Millis at) {
  return at / k_send_step_ms;
}

struct ChatRecord {
  core::Chat chat;         // id, state, visitor name, opening message, page, email, operator
  std::string token_hash;  // what the visitor's token hashes to (never the token itself)
  Seq last_seq = 0;        // highest message seq in this chat (0: none yet)
  Seq relayed_seq = 0;     // visitor messages up to here went to an operator
  std::optional<core::ChatState> broker_seen;  // state the broker last acted on (none: new)
  Millis created_at = 0;
  Millis visitor_seen_at = 0;   // last time the visitor's page was heard from (k_held: now)
  Seq handed_seq = 0;           // the visitor's page got the messages up to here
  Seq read_seq = 0;             // the visitor saw the messages up to here
  std::string operator_name{};  // the display name of its (last) operator
  bool operator_typing = false;
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

struct Message {
  Seq seq = 0;
  core::Author from = core::Author::system;
  std::string text;
  Millis at = 0;
  std::optional<Seq> replaces{};  // an operator's correction of message `replaces`
  std::string name{};             // operator messages: the operator's display name
  // Handed over only (ChangeFeed::publish_line): the outbox rows of a visitor's line that its own
  // transaction relayed (Store::relay_open_lines; empty when it did not). The broker only sends
  // them.
  std::vector<OutboxItem> relayed{};
};

struct NewChat {
  std::string visitor_name;
  std::string opening_message;  // stored as the visitor's first message when not empty
  std::string page;
  std::string token_hash;
  std::string email{};     // the visitor's address, checked (visitors::check_email); may be empty
  std::string language{};  // BCP 47 tag of the visitor's language; empty when not known
  std::string network{};   // the visitor's /24 or /64, for the limits per network; may be empty
};

// What the visitor's browser said about them when the chat started (!INFO, !BLOCK); kept in a
// table of its own (chat_details), written right after the chat's row.
struct ChatDetails {
  std::string visitor{};     // the widget's random id for this browser ("visitor"); may be empty
  std::string referrer{};    // the page that led to the site ("referrer"); may be empty
  std::string user_agent{};  // the User-Agent header, cut to 512 bytes
  std::string address{};     // the client's IP address as the gateway saw it
  std::optional<int> utc_offset{};  // minutes east of UTC of the visitor's clock ("utc_offset")

  bool operator==(const ChatDetails&) const = default;
};

// What !INFO shows beyond the chat's row.
struct VisitorInfo {
  ChatDetails details;
  std::optional<Millis> accepted_at;  // when an operator first accepted it
  struct Earlier {
    ChatId id = 0;
    Millis created_at = 0;
    core::ChatState state = core::ChatState::closed;
  };
  std::vector<Earlier> earlier;  // chats from the same `visitor` id before this one, newest first
  int earlier_count = 0;         // all of them (earlier holds at most a few)
};

enum class AddResult { added, no_such_chat, chat_final };
struct Added {
  AddResult result = AddResult::added;
  Seq seq = 0;            // when added
  bool repeated = false;  // add_visitor_message_once: stored before under the same client id
  Millis at = 0;          // when added: the time stored with it
  // A visitor's line's rows in its operator's outbox, when its own transaction relayed it
  // (relay_open_lines).
  std::vector<OutboxItem> relayed{};
};

// The broker acknowledges that it acted on the chat's current state (a new chat, a close by
// the visitor), so that it is not reported as pending again.
struct SeenState {
  ChatId chat = 0;
  core::ChatState state = core::ChatState::waiting;
};

// Work the broker has not done yet.
// Changed chats one pending() reads at most: a flood of new chats is taken in by several
// rounds, each a short transaction, so that the gateways' writes are not held up meanwhile.
inline constexpr int k_pending_chats = 256;

struct Pending {
  // State differs from broker_seen (new, visitor-closed): the oldest k_pending_chats of them.
  std::vector<ChatRecord> changed_chats;
  bool more_chats = false;  // more changed chats than that: pending() has more to read
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

// --- mail (see store/sqlite_mail.hpp and README "Mail") ---

enum class MailKind { reply, transcript };

// A chat whose visitor gave an email and that has messages past its mailed_seq (every message
// up to mailed_seq is settled: mailed, seen by the page, or nothing to mail).
struct MailWatch {
  ChatId chat = 0;
  core::ChatState state = core::ChatState::waiting;
  std::string email;
  Millis visitor_seen_at = 0;
  Seq mailed_seq = 0;
};

// One stored mail. Its row is written before any send and marked sent only after the SMTP
// server accepted it; its id (with the site's value) makes the Message-ID of every send.
struct MailItem {
  std::int64_t id = 0;
  ChatId chat = 0;
  MailKind kind = MailKind::reply;
  std::string rcpt;
  Seq first_seq = 0;      // reply: its first new operator line; transcript: 1
  Seq up_to_seq = 0;      // the mail shows the chat's messages up to here
  Millis created_at = 0;  // also the Date: of every send
  int attempts = 0;       // sends that failed so far
};

struct MailLimits {
  int per_address_per_hour = 10;  // mails queued (transcripts) or sent (replies) to one address
  int transcripts_per_chat = 5;
};

enum class TranscriptQueued {
  queued,
  duplicate,          // the same address already has (or will get) this chat up to its end
  too_many_for_chat,  // MailLimits::transcripts_per_chat
  too_many_for_address,
};

// What one retention pass deleted.
struct Purged {
  int chats = 0;
  int messages = 0;
  int mail = 0;
  int outbox = 0;
  [[nodiscard]] int rows() const { return chats + messages + mail + outbox; }
};

// Writes made until commit() become durable together: one commit for many requests. Each write
// inside is still refused on its own (a guard, an ended chat, a retry), writing nothing of it.
// Dropped without commit(), all of them roll back.
class Batch {
 public:
  virtual ~Batch() = default;
  // Throws StoreError; then nothing written in the batch was stored.
  virtual void commit() = 0;
  // False once the batch was rolled back: by SQLite itself (disk full, I/O error), or by a
  // write inside that failed after its first change (SQLite: a visitor's line, which takes no
  // savepoint). Whatever was written since is not part of it.
  [[nodiscard]] virtual bool intact() const = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Starts a batch on this store's connection (none may be open already). Its owner calls
  // checkpoint_if_due() once the callers of its writes were answered.
  [[nodiscard]] virtual std::unique_ptr<Batch> begin_batch() = 0;
  // The same if it can start at once; else none: another writer (of this process or another)
  // holds the database, or the store cannot start one without a wait (PostgreSQL: a network
  // round trip). For a caller that must not block and has somewhere else to send the work.
  [[nodiscard]] virtual std::unique_ptr<Batch> try_begin_batch() { return nullptr; }
  // Housekeeping outside any batch: copies the database's log into its file if a commit found
  // the log full. Other writes (neither a batch nor apply()) do it themselves after committing.
  virtual void checkpoint_if_due() = 0;

  // --- the visitor's side (client library, HTTP gateway) ---
  [[nodiscard]] virtual ChatId create_chat(const NewChat& chat) = 0;
  [[nodiscard]] virtual std::optional<ChatRecord> find_chat(ChatId id) = 0;
  // Appends a message (any author) with the next seq, unless the chat is final.
  [[nodiscard]] virtual Added add_message(ChatId chat, core::Author from,
                                          const std::string& text) = 0;
  // A visitor's message with the sender's own id for it (`client_id`, not empty): appended as
  // add_message does, unless this chat already has a message with that client id; then nothing
  // is stored and that message's seq is returned with `repeated` (whatever the chat's state
  // now). The check and the insert are one transaction: two retries never both store.
  [[nodiscard]] virtual Added add_visitor_message_once(ChatId chat, const std::string& text,
                                                       const std::string& client_id) = 0;
  // From now on a visitor's line (add_message, add_visitor_message_once) goes to its operator's
  // outbox in its own transaction, as the broker would send it (core::line_to_operator), when
  // the broker holds the chat open and every earlier line of it went: one commit on the way
  // instead of two, and the broker only sends it (Added::relayed). A setting of the connection:
  // SQLite only; elsewhere the broker relays every line.
  virtual void relay_open_lines(core::Addressing /*addressing*/) {}
  // Messages with seq > after, oldest first, at most `limit`.
  [[nodiscard]] virtual std::vector<Message> messages_after(ChatId chat, Seq after, int limit) = 0;
  // The visitor ends a live chat: state closed and the system message `text`, atomically.
  // False if the chat is unknown or already final.
  [[nodiscard]] virtual bool close_by_visitor(ChatId chat, const std::string& text) = 0;
  // The visitor's page was heard from `now` (unless a gateway holds it: k_held stays).
  virtual void touch_visitor(ChatId chat, Millis now) = 0;
  // A gateway vouches for the visitors whose event stream it holds open: it adds itself (its
  // id), refreshes its row every k_gateway_refresh_ms (false: the row is gone, the broker
  // reaped it; add again and hold again), holds a chat when its first stream opens (the chat's
  // visitor_seen_at becomes k_held) and lets go when its last one ends (seen `now` unless
  // another gateway still holds it). remove_gateway lets go of all of them and the row.
  [[nodiscard]] virtual std::int64_t add_gateway(Millis now) = 0;
  [[nodiscard]] virtual bool refresh_gateway(std::int64_t gateway, Millis now) = 0;
  virtual void hold_visitor(ChatId chat, std::int64_t gateway) = 0;
  virtual void let_go_visitor(ChatId chat, std::int64_t gateway, Millis now) = 0;
  virtual void remove_gateway(std::int64_t gateway, Millis now) = 0;
  [[nodiscard]] virtual int available_operators() = 0;
  // Operators available with room for one more chat (core::SetOperatorFree).
  [[nodiscard]] virtual int free_operators() = 0;
  // The queue: the ids of every request (waiting for an operator), oldest first. A visitor's
  // place in it is what the read API shows as `position`.
  [[nodiscard]] virtual std::vector<ChatId> queue() = 0;

  // --- limits against floods, counted here so that they hold across gateways ---
  // Chats created in the last `window` ms; network "" counts every chat.
  [[nodiscard]] virtual int chats_created_within(Millis window, const std::string& network) = 0;
  // One visitor message from `network` (records are kept a minute, counted per network in steps
  // of k_send_step_ms), and how many there were in the last `window` ms: the steps that overlap
  // it, so up to a step more than the window (never less).
  virtual void record_visitor_send(const std::string& network) = 0;
  [[nodiscard]] virtual int visitor_sends_within(Millis window, const std::string& network) = 0;
  // Visitor messages stored in `chat` (0 for an unknown chat).
  [[nodiscard]] virtual int visitor_messages(ChatId chat) = 0;
  // Bytes free for this process on the database's file system; nullopt when unknown.
  [[nodiscard]] virtual std::optional<std::uint64_t> free_disk_bytes() = 0;
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

  // --- visitor details and blocks (!INFO, !BLOCK; store/sqlite_visitor_details.cpp) ---
  virtual void set_chat_details(ChatId chat, const ChatDetails& details) = 0;
  // The details of `chat` (empty ones for a chat started without) and up to `earlier_limit` of
  // the chats started before it from the same browser; nullopt for an unknown chat.
  [[nodiscard]] virtual std::optional<VisitorInfo> visitor_info(ChatId chat, int earlier_limit) = 0;
  // Refuses new chats from the browser (`visitor`) and the address of `chat` until `until`.
  // False when the chat is unknown or has neither.
  [[nodiscard]] virtual bool block(ChatId chat, Millis until) = 0;
  // Lifts the blocks made from `chat`; how many there were.
  [[nodiscard]] virtual int unblock(ChatId chat) = 0;
  // A block on `visitor` (when not empty) or `address` (when not empty) lasts past `now`.
  [[nodiscard]] virtual bool is_blocked(const std::string& visitor, const std::string& address,
                                        Millis now) = 0;

  // --- the broker's side ---
  [[nodiscard]] virtual std::vector<ChatRecord> live_chats() = 0;  // not final, oldest first
  // Live chats whose visitor was last seen before `seen_before`, and requests (waiting,
  // notified) created before `created_before`; oldest first. Filtered in the database: the
  // broker asks every second, with thousands of idle chats open.
  [[nodiscard]] virtual std::vector<ChatRecord> overdue_chats(Millis seen_before,
                                                              Millis created_before) = 0;
  // What the broker has to handle, with at most `max_changed_chats` changed chats (0: none, a
  // round that only relays).
  [[nodiscard]] virtual Pending pending(int max_changed_chats = k_pending_chats) = 0;
  // Removes the gateways whose row was last refreshed before `stale_before` (stopped without
  // letting go): the chats they held count as seen when the gateway last was, unless another
  // gateway holds them. Returns how many gateways went.
  virtual int reap_gateways(Millis stale_before) = 0;
  // Applies one batch of core actions (and optionally a SeenState) in one transaction.
  // Returns false and changes nothing if a SetState's `from` no longer matches the store.
  // Like a batch, it leaves a checkpoint to its caller, who announces the change first.
  [[nodiscard]] virtual bool apply(const core::Actions& actions,
                                   std::optional<SeenState> seen = std::nullopt) = 0;
  // The operators' lines that apply() stored since the last call, in order, each as a read
  // returns it: a visitor's stream can be handed them without reading them back. Lines of a
  // batch that then failed to commit were not stored: whoever takes them after such a failure
  // drops them first.
  [[nodiscard]] virtual std::vector<std::pair<ChatId, Message>> take_operator_lines() = 0;
  // Undelivered outbox rows with ids above `after_id`, oldest first, at most `limit`.
  [[nodiscard]] virtual std::vector<OutboxItem> undelivered(std::int64_t after_id, int limit) = 0;
  virtual void mark_delivered(const std::vector<std::int64_t>& outbox_ids) = 0;
  // Every operator unavailable (the broker starts, or lost its XMPP connection).
  virtual void reset_operators() = 0;

  // --- mail: the mail job and its sender (app/mailer), the transcript request (client) ---
  // Chats with an email and unsettled messages, by id, at most `limit`.
  [[nodiscard]] virtual std::vector<MailWatch> mail_watch(int limit) = 0;
  // mailed_seq from `from` to `to`; false (and nothing changed) if it is no longer `from`.
  [[nodiscard]] virtual bool settle_mail(ChatId chat, Seq from, Seq to) = 0;
  // Stores a reply mail of lines up to `up_to` (new from `first_new`) to `rcpt` and moves
  // mailed_seq from `from` to `up_to`, in one transaction; nullopt if mailed_seq moved meanwhile.
  [[nodiscard]] virtual std::optional<std::int64_t> queue_reply_mail(ChatId chat, Seq from,
                                                                     Seq first_new, Seq up_to,
                                                                     const std::string& rcpt,
                                                                     Millis now) = 0;
  // Stores a transcript of `chat` up to `up_to` for `rcpt`, unless a limit says no.
  [[nodiscard]] virtual TranscriptQueued queue_transcript_mail(ChatId chat, const std::string& rcpt,
                                                               Seq up_to, const MailLimits& limits,
                                                               Millis now) = 0;
  // Mails neither sent nor given up whose next attempt is due at `now`, oldest due first.
  [[nodiscard]] virtual std::vector<MailItem> due_mail(Millis now, int limit) = 0;
  // When mails to `rcpt` (any case) were sent since `since`, oldest first.
  [[nodiscard]] virtual std::vector<Millis> mail_sent_to(const std::string& rcpt, Millis since) = 0;
  virtual void mark_mail_sent(std::int64_t id, Millis now) = 0;
  // A failed attempt: counted, and tried again at `next_attempt`.
  virtual void retry_mail(std::int64_t id, Millis next_attempt, const std::string& error) = 0;
  // Not tried now (the address's limit): due again at `next_attempt`, nothing counted.
  virtual void defer_mail(std::int64_t id, Millis next_attempt) = 0;
  // Given up (the server refused it for good, or it could not be sent for too long).
  virtual void mark_mail_failed(std::int64_t id, Millis now, const std::string& error) = 0;
  [[nodiscard]] virtual int unsent_mail() = 0;
  // The site's random value in every Message-ID (made once, with the database).
  [[nodiscard]] virtual std::string mail_site() = 0;

  // --- retention ---
  // Deletes, in one short transaction of at most about `max_rows` rows, what is older than
  // `before`: chats that ended (any final state) before it, with their messages and mail (not
  // while a mail of theirs is still to be sent), and confirmed outbox rows written before it.
  // Call again while it returns max_rows or more.
  [[nodiscard]] virtual Purged purge_expired(Millis before, int max_rows) = 0;

  // --- change detection across processes ---
  // A number that changes whenever another connection commits (SQLite's data_version).
  [[nodiscard]] virtual std::int64_t data_version() = 0;
  // SQLite shared by several processes: which chats they changed, as a log of chat ids that
  // the database itself writes (triggers) from the first call of log_chat_changes() on, in
  // every process. Returns the newest entry, to read after. PostgreSQL: its notifications
  // carry the chats (PgListener); these throw StoreError.
  [[nodiscard]] virtual std::int64_t log_chat_changes() = 0;
  struct ChatChanges {
    std::int64_t last = 0;      // the newest entry read: the next read starts after it
    std::vector<ChatId> chats;  // each once
    bool complete = true;       // false: entries were pruned or left (over `limit`) unread
  };
  [[nodiscard]] virtual ChatChanges chat_changes_after(std::int64_t after, int limit) = 0;
  // Deletes all but the newest `keep` entries.
  virtual void prune_chat_changes(int keep) = 0;

  // --- leadership among brokers sharing one database (PostgreSQL; README "Several machines")
  // A lease: the leader renews it; a standby takes over once it expired (the database's clock).
  // SQLite has one broker: it always leads, and these do nothing.
  struct Leader {
    std::string holder;      // who leads (or led last)
    std::int64_t epoch = 0;  // grows with every new leader
    Millis expires_in = 0;   // ms until the lease ends (negative: ended)
  };
  // Becomes the leader (a new epoch) unless another holder's lease still runs.
  [[nodiscard]] virtual std::optional<std::int64_t> try_lead(const std::string& holder,
                                                             Millis lease_ms) {
    (void)holder, (void)lease_ms;
    return 1;
  }
  // Extends the lease of `epoch` from now; false once a newer epoch exists (leadership lost).
  [[nodiscard]] virtual bool renew_lead(std::int64_t epoch, Millis lease_ms) {
    (void)epoch, (void)lease_ms;
    return true;
  }
  // Ends the lease of `epoch` at once (a clean shutdown), so that a standby need not wait.
  virtual void release_lead(std::int64_t epoch) { (void)epoch; }
  // From now on every write transaction of this connection first checks that `epoch` is still
  // the newest, and fails with StoreError (writing nothing) once it is not: a leader that lost
  // its lease while frozen writes nothing when it runs again.
  virtual void fence(std::int64_t epoch) { (void)epoch; }
  [[nodiscard]] virtual std::optional<Leader> leader() { return std::nullopt; }
};

// Opens (creating when missing, migrating when older) the SQLite database at `path`.
// Refuses, with StoreError, a schema newer than this binary knows.
[[nodiscard]] std::unique_ptr<Store> open_sqlite_store(const std::string& path);

// Opens (creating the schema when missing, migrating when older) the PostgreSQL database at
// `uri` (a libpq connection URI, `postgresql://user@host:port/dbname`). Refuses, with
// StoreError, a server it cannot reach or a schema newer than this binary knows.
[[nodiscard]] std::unique_ptr<Store> open_postgres_store(const std::string& uri);

// Whichever of the two `location` names: a PostgreSQL URI (`postgresql://` or `postgres://`)
// or else a SQLite file.
[[nodiscard]] bool is_postgres_uri(const std::string& location);
[[nodiscard]] std::unique_ptr<Store> open_store(const std::string& location);

}  // namespace seshat::store
