// The SQLite implementation of Store. Each method is one transaction over the tables'
// prepared statements (sqlite_chats, sqlite_messages, sqlite_outbox, sqlite_operators).
//
// Durability: WAL with synchronous=NORMAL. A commit is in the WAL file before it returns, so
// a killed process loses nothing it committed; a power loss or OS crash may lose the last
// commits but never corrupts the database.
// Concurrency: every write begins IMMEDIATE, so writers queue for the write lock (up to the
// busy timeout) instead of failing on a lock upgrade; readers never wait for writers.

#include <algorithm>
#include <cctype>
#include <chrono>
#include <string>
#include <utility>
#include <variant>

#include "store/sqlite_chats.hpp"
#include "store/sqlite_db.hpp"
#include "store/sqlite_gateways.hpp"
#include "store/sqlite_limits.hpp"
#include "store/sqlite_mail.hpp"
#include "store/sqlite_messages.hpp"
#include "store/sqlite_migrations.hpp"
#include "store/sqlite_operators.hpp"
#include "store/sqlite_outbox.hpp"
#include "store/sqlite_stanzas.hpp"
#include "store/sqlite_visitor_details.hpp"
#include "store/store.hpp"

namespace seshat::store {
namespace {

using sqlite::Database;
using sqlite::FinalChats;
using sqlite::Query;
using sqlite::Statement;
using sqlite::Transaction;
using sqlite::TransactionKind;

Millis now_millis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void configure(Database& db) {
  // Switching to WAL and migrating wait for another process opening the file (Database's busy
  // handler; PRAGMA busy_timeout would replace it with SQLite's coarser one).
  {
    Statement statement(db, "PRAGMA journal_mode = WAL");
    Query query(statement);
    if (!query.step() || query.text_at(0) != "wal") {
      throw StoreError("cannot switch the database to WAL mode (" + db.path() + ")");
    }
  }
  db.exec("PRAGMA synchronous = NORMAL");
  // A checkpoint runs on a thread of its own after the commit that filled the log (see
  // Database::checkpoint_after), so its syncs hold up no request, however long the log. Each one
  // copies the pages that changed since the last and syncs both files: at 2,000 pages that cost
  // 4.7 us of CPU per ingested message, at 8,000 3.7 us (bench/rounds.md). The log then takes about
  // 32 MB on disk (twice that while a checkpoint cannot catch up with the writers), reused from
  // its start after a checkpoint that copied it all.
  db.checkpoint_after(8000);
  db.exec("PRAGMA foreign_keys = ON");
}

// The connection, made usable (pragmas, current schema) before any statement is prepared.
struct ReadyDatabase {
  explicit ReadyDatabase(const std::string& path) : db(path) {
    configure(db);
    sqlite::migrate(db);
  }
  Database db;
};

class SqliteBatch final : public Batch {
 public:
  SqliteBatch(Database& db, sqlite::Wait wait)
      : m_db(db),
        m_transaction(db, TransactionKind::write, sqlite::AfterCommit::leave_checkpoint_to_owner,
                      wait) {}
  void commit() override { m_transaction.commit(); }
  [[nodiscard]] bool intact() const override { return m_db.in_transaction(); }

 private:
  Database& m_db;
  Transaction m_transaction;
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path) : m_ready(path) {}

  std::unique_ptr<Batch> begin_batch() override {
    if (m_db.in_transaction()) throw StoreError("a batch is already open on " + m_db.path());
    return std::make_unique<SqliteBatch>(m_db, sqlite::Wait::up_to_timeout);
  }

  std::unique_ptr<Batch> try_begin_batch() override {
    if (m_db.in_transaction()) return nullptr;
    try {
      return std::make_unique<SqliteBatch>(m_db, sqlite::Wait::no);
    } catch (const StoreError&) {
      return nullptr;  // locked, or failing: the caller's other way meets that
    }
  }

  ChatId create_chat(const NewChat& chat) override {
    const auto now = now_millis();
    Transaction transaction(m_db);
    const auto id = m_chats.insert(chat, now);
    if (!chat.opening_message.empty()) {
      append(id, core::Author::visitor, chat.opening_message, FinalChats::refuse, now);
    }
    transaction.commit();
    return id;
  }

  std::optional<ChatRecord> find_chat(ChatId id) override { return m_chats.find(id); }

  Added add_message(ChatId chat, core::Author from, const std::string& text) override {
    if (from == core::Author::visitor) return add_visitor_line(chat, text, nullptr);
    Transaction transaction(m_db);
    const auto at = now_millis();
    const auto seq = append(chat, from, text, FinalChats::refuse, at);
    if (!seq) return refused(chat);
    transaction.commit();
    return {AddResult::added, *seq, false, at};
  }

  Added add_visitor_message_once(ChatId chat, const std::string& text,
                                 const std::string& client_id) override {
    return add_visitor_line(chat, text, &client_id);
  }

  void relay_open_lines(core::Addressing addressing) override { m_relay = addressing; }

  std::vector<Message> messages_after(ChatId chat, Seq after, int limit) override {
    return m_messages.after(chat, after, limit);
  }

  bool close_by_visitor(ChatId chat, const std::string& text) override {
    Transaction transaction(m_db);
    const auto seq = m_chats.close_live(chat);
    if (!seq) return false;
    m_messages.insert(chat, Message{*seq, core::Author::system, text, now_millis()});
    transaction.commit();
    return true;
  }

  void touch_visitor(ChatId chat, Millis now) override {
    Transaction transaction(m_db);
    m_chats.touch_visitor(chat, now);
    transaction.commit();
  }

  std::int64_t add_gateway(Millis now) override {
    Transaction transaction(m_db);
    const auto id = m_gateways.add(now);
    transaction.commit();
    return id;
  }

  bool refresh_gateway(std::int64_t gateway, Millis now) override {
    Transaction transaction(m_db);
    const bool found = m_gateways.refresh(gateway, now);
    transaction.commit();
    return found;
  }

  void hold_visitor(ChatId chat, std::int64_t gateway) override {
    Transaction transaction(m_db);
    m_gateways.hold(chat, gateway);
    transaction.commit();
  }

  void let_go_visitor(ChatId chat, std::int64_t gateway, Millis now) override {
    Transaction transaction(m_db);
    m_gateways.let_go(chat, gateway, now);
    transaction.commit();
  }

  void remove_gateway(std::int64_t gateway, Millis now) override {
    Transaction transaction(m_db);
    m_gateways.remove(gateway, now);
    transaction.commit();
  }

  void checkpoint_if_due() override { m_db.checkpoint_if_due(); }

  int available_operators() override { return m_operators.count_available(); }
  int free_operators() override { return m_operators.count_free(); }
  std::vector<ChatId> queue() override { return m_chats.queue(); }

  void set_chat_details(ChatId chat, const ChatDetails& details) override {
    Transaction transaction(m_db);
    m_details.set(chat, details);
    transaction.commit();
  }
  std::optional<VisitorInfo> visitor_info(ChatId chat, int earlier_limit) override {
    return m_details.info(chat, earlier_limit);
  }
  bool block(ChatId chat, Millis until) override {
    Transaction transaction(m_db);
    const bool blocked = m_details.block(chat, until);
    transaction.commit();
    return blocked;
  }
  int unblock(ChatId chat) override {
    Transaction transaction(m_db);
    const int lifted = m_details.unblock(chat);
    transaction.commit();
    return lifted;
  }
  bool is_blocked(const std::string& visitor, const std::string& address, Millis now) override {
    return m_details.is_blocked(visitor, address, now);
  }
  int chats_created_within(Millis window, const std::string& network) override {
    return m_limits.chats_since(now_millis() - window, network);
  }
  // Never refused, so no savepoint inside a batch: a failure rolls the batch back, whose jobs
  // then run one by one.
  void record_visitor_send(const std::string& network) override {
    Transaction transaction(m_db, sqlite::Inside::whole_batch);
    m_limits.record_send(network, now_millis());
    transaction.commit();
  }
  int visitor_sends_within(Millis window, const std::string& network) override {
    return m_limits.sends_since(now_millis() - window, network);
  }
  int visitor_messages(ChatId chat) override { return m_limits.visitor_count(chat); }
  std::optional<std::uint64_t> free_disk_bytes() override { return m_limits.free_disk_bytes(); }

  int hand_up(ChatId chat, Seq seq) override {
    Transaction transaction(m_db);
    const int queued = hand_up_in_transaction(chat, seq, now_millis());
    transaction.commit();
    return queued;
  }

  int mark_read(ChatId chat, Seq seq) override {
    const auto now = now_millis();
    Transaction transaction(m_db);
    int queued = hand_up_in_transaction(chat, seq, now);
    if (const auto progress = m_chats.progress(chat); progress && seq > progress->read) {
      queued += m_outbox.add_displayed(chat, progress->read, seq, now);
      m_chats.set_read(chat, seq);
    }
    transaction.commit();
    return queued;
  }

  bool set_visitor_typing(ChatId chat, bool typing) override {
    Transaction transaction(m_db);
    const bool changed = m_chats.set_visitor_typing(chat, typing);
    transaction.commit();
    return changed;
  }

  std::vector<ChatRecord> live_chats() override { return m_chats.live(); }
  std::vector<ChatRecord> overdue_chats(Millis seen_before, Millis created_before) override {
    return m_chats.overdue(seen_before, created_before);
  }

  int reap_gateways(Millis stale_before) override {
    // Asked every second: no write transaction (and write lock) unless one is stale.
    if (!m_gateways.any_stale(stale_before)) return 0;
    Transaction transaction(m_db);
    const int reaped = m_gateways.reap(stale_before);
    transaction.commit();
    return reaped;
  }

  Pending pending(int max_changed_chats) override {
    // One snapshot, so a message is never reported for a chat state that is not.
    Transaction transaction(m_db, TransactionKind::read);
    Pending pending;
    if (max_changed_chats > 0) {
      pending.changed_chats = m_chats.unseen(max_changed_chats + 1);
      if (pending.changed_chats.size() > static_cast<std::size_t>(max_changed_chats)) {
        pending.changed_chats.pop_back();
        pending.more_chats = true;
      }
    }
    pending.visitor_messages = m_messages.unrelayed_visitor_messages();
    pending.visitor_typing = m_chats.visitor_typing_changes();
    transaction.commit();
    return pending;
  }

  bool apply(const core::Actions& actions, std::optional<SeenState> seen) override {
    const auto now = now_millis();
    Transaction transaction(m_db, TransactionKind::write,
                            sqlite::AfterCommit::leave_checkpoint_to_owner);
    // First, so that a SetState in the same batch sets broker_seen to its own target.
    if (seen) m_chats.mark_seen(*seen);
    m_applying.clear();
    for (const auto& action : actions) {
      const bool applied = std::visit([&](const auto& one) { return write(one, now); }, action);
      if (!applied) return false;  // the transaction rolls back
    }
    transaction.commit();
    m_operator_lines.insert(m_operator_lines.end(), std::make_move_iterator(m_applying.begin()),
                            std::make_move_iterator(m_applying.end()));
    return true;
  }

  std::vector<std::pair<ChatId, Message>> take_operator_lines() override {
    return std::exchange(m_operator_lines, {});
  }

  std::vector<OutboxItem> undelivered(std::int64_t after_id, int limit) override {
    return m_outbox.undelivered(after_id, limit);
  }

  void mark_delivered(const std::vector<std::int64_t>& outbox_ids) override {
    if (outbox_ids.empty()) return;
    Transaction transaction(m_db);
    m_outbox.mark_delivered(outbox_ids);
    transaction.commit();
  }

  void reset_operators() override {
    Transaction transaction(m_db);
    m_operators.reset();
    transaction.commit();
  }

  // --- mail and retention (sqlite_mail.cpp) ---

  std::vector<MailWatch> mail_watch(int limit) override { return m_mail.watch(limit); }

  bool settle_mail(ChatId chat, Seq from, Seq to) override {
    Transaction transaction(m_db);
    if (!m_mail.settle(chat, from, to)) return false;
    transaction.commit();
    return true;
  }

  std::optional<std::int64_t> queue_reply_mail(ChatId chat, Seq from, Seq first_new, Seq up_to,
                                               const std::string& rcpt, Millis now) override {
    Transaction transaction(m_db);
    if (!m_mail.settle(chat, from, up_to)) return std::nullopt;
    const auto id = m_mail.insert(chat, MailKind::reply, rcpt, first_new, up_to, now);
    transaction.commit();
    return id;
  }

  TranscriptQueued queue_transcript_mail(ChatId chat, const std::string& rcpt, Seq up_to,
                                         const MailLimits& limits, Millis now) override {
    constexpr Millis k_hour = 3'600'000;
    Transaction transaction(m_db);
    std::string key = rcpt;
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (m_mail.has_transcript(chat, key, up_to)) return TranscriptQueued::duplicate;
    if (m_mail.transcripts_of(chat) >= limits.transcripts_per_chat)
      return TranscriptQueued::too_many_for_chat;
    if (m_mail.queued_for(key, now - k_hour) >= limits.per_address_per_hour)
      return TranscriptQueued::too_many_for_address;
    (void)m_mail.insert(chat, MailKind::transcript, rcpt, 1, up_to, now);
    transaction.commit();
    return TranscriptQueued::queued;
  }

  std::vector<MailItem> due_mail(Millis now, int limit) override { return m_mail.due(now, limit); }

  std::vector<Millis> mail_sent_to(const std::string& rcpt, Millis since) override {
    std::string key = rcpt;
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return m_mail.sent_to(key, since);
  }

  void mark_mail_sent(std::int64_t id, Millis now) override {
    Transaction transaction(m_db);
    m_mail.mark_sent(id, now);
    transaction.commit();
  }

  void retry_mail(std::int64_t id, Millis next_attempt, const std::string& error) override {
    Transaction transaction(m_db);
    m_mail.retry(id, next_attempt, error);
    transaction.commit();
  }

  void defer_mail(std::int64_t id, Millis next_attempt) override {
    Transaction transaction(m_db);
    m_mail.defer(id, next_attempt);
    transaction.commit();
  }

  void mark_mail_failed(std::int64_t id, Millis now, const std::string& error) override {
    Transaction transaction(m_db);
    m_mail.mark_failed(id, now, error);
    transaction.commit();
  }

  int unsent_mail() override { return m_mail.unsent(); }

  std::string mail_site() override { return m_mail.site(); }

  Purged purge_expired(Millis before, int max_rows) override {
    Transaction transaction(m_db);
    const auto purged = m_mail.purge(before, max_rows);
    transaction.commit();
    return purged;
  }

  std::int64_t log_chat_changes() override {
    Transaction transaction(m_db);
    // A new chat, and every column a gateway's waiters or the broker act on (a process that
    // did not write it learns of the change only through here).
    m_db.exec(R"sql(
CREATE TRIGGER IF NOT EXISTS chat_changes_created AFTER INSERT ON chats
BEGIN
  INSERT INTO chat_changes (chat_id) VALUES (NEW.id);
END;
CREATE TRIGGER IF NOT EXISTS chat_changes_updated AFTER UPDATE OF state, last_seq, operator_name,
  operator_typing, visitor_typing, handed_seq, read_seq ON chats
BEGIN
  INSERT INTO chat_changes (chat_id) VALUES (NEW.id);
END;
)sql");
    Statement newest(m_db, "SELECT coalesce(max(id), 0) FROM chat_changes");
    Query query(newest);
    const auto last = query.step() ? query.int_at(0) : 0;
    transaction.commit();
    return last;
  }

  ChatChanges chat_changes_after(std::int64_t after, int limit) override {
    ChatChanges changes{after, {}, true};
    Query query(m_chat_changes_after);
    query.bind(1, after).bind(2, std::int64_t{limit});
    int read = 0;
    while (query.step()) {
      const auto id = query.int_at(0);
      // Entries are written in commit order without gaps: one missing was pruned unread.
      if (read == 0 && id != after + 1) changes.complete = false;
      changes.last = id;
      changes.chats.push_back(query.int_at(1));
      ++read;
    }
    if (read == limit) changes.complete = false;  // more wait: any chat may have changed
    std::sort(changes.chats.begin(), changes.chats.end());
    changes.chats.erase(std::unique(changes.chats.begin(), changes.chats.end()),
                        changes.chats.end());
    return changes;
  }

  void prune_chat_changes(int keep) override {
    Transaction transaction(m_db);
    Query query(m_prune_chat_changes);
    query.bind(1, std::int64_t{keep});
    query.run();
    transaction.commit();
  }

  std::int64_t data_version() override {
    Query query(m_data_version);
    if (!query.step())
      throw StoreError("PRAGMA data_version returned nothing (" + m_db.path() + ")");
    return query.int_at(0);
  }

 private:
  std::optional<Seq> append(ChatId chat, core::Author from, const std::string& text,
                            FinalChats final_chats, Millis now,
                            std::optional<Seq> replaces = std::nullopt, std::string name = {}) {
    std::optional<Seq> seq;
    if (from != core::Author::visitor) {
      seq = m_chats.take_next_seq(chat, final_chats);
    } else if (const auto next = m_chats.next_visitor_seq(chat, false)) {
      m_chats.take_visitor_seq(chat, *next);
      seq = next->seq;
    }
    if (seq) m_messages.insert(chat, Message{*seq, from, text, now, replaces, std::move(name)});
    return seq;
  }

  // A visitor's line in a transaction of its own, and into its operator's outbox when it goes to
  // them at once. Everything that can refuse it is read or tried before the first write (an
  // ended chat; a retry, whose row the client id's index refuses), so inside a batch it needs no
  // savepoint: a refused line writes nothing, and a failure rolls the batch back.
  Added add_visitor_line(ChatId chat, const std::string& text, const std::string* client_id) {
    Transaction transaction(m_db, sqlite::Inside::whole_batch);
    const auto at = now_millis();
    const auto next = m_chats.next_visitor_seq(chat, m_relay.has_value());
    const Message line{next ? next->seq : 0, core::Author::visitor, text, at};
    if (!next || (client_id != nullptr && !m_messages.insert_once(chat, line, *client_id))) {
      // Nothing written. A retry learns its line's seq, also when the chat ended since.
      auto answer = client_id != nullptr ? earlier(chat, *client_id) : refused(chat);
      transaction.commit();
      return answer;
    }
    if (client_id == nullptr) m_messages.insert(chat, line);
    m_chats.take_visitor_seq(chat, *next);
    Added added{AddResult::added, next->seq, false, at, relay(chat, text, next->relay, at)};
    transaction.commit();
    return added;
  }

  Added earlier(ChatId chat, const std::string& client_id) {
    if (const auto seq = m_messages.seq_of_client_id(chat, client_id))
      return {AddResult::added, *seq, true};
    return refused(chat);
  }

  // A visitor's line that next_visitor_seq found relayed at once: into its operator's outbox, as
  // the broker would send it. Returns the rows, which the broker sends as they are.
  std::vector<OutboxItem> relay(ChatId chat, const std::string& text,
                                const std::optional<sqlite::ChatTable::Relay>& to, Millis now) {
    std::vector<OutboxItem> rows;
    if (!to || !m_relay) return rows;
    const auto holding =
        *m_relay == core::Addressing::account ? m_chats.open_chats_of(to->operator_jid) : 0;
    auto lines = core::fit_to_stanzas({core::line_to_operator(*m_relay, chat, to->operator_jid,
                                                              to->visitor_name, holding, text)});
    for (auto& line : lines) {
      auto& send = std::get<core::SendToOperator>(line);
      const auto id = m_outbox.add(send, now);
      rows.push_back({id, std::move(send.jid), std::move(send.text), chat});
    }
    return rows;
  }

  Added refused(ChatId chat) {
    return {m_chats.state_of(chat) ? AddResult::chat_final : AddResult::no_such_chat, 0};
  }

  int hand_up_in_transaction(ChatId chat, Seq seq, Millis now) {
    const auto progress = m_chats.progress(chat);
    if (!progress || seq <= progress->handed) return 0;
    const int queued = m_outbox.add_receipts(chat, progress->handed, seq, now);
    m_chats.set_handed(chat, seq);
    return queued;
  }

  // The message an operator's correction replaces: the one of theirs in this chat whose stanza
  // id it names (the original, when that one was a correction too); none if unknown.
  std::optional<Seq> corrected(const core::PostToChat& post) {
    if (post.from != core::Author::operator_ || post.stanza.replaces.empty()) return std::nullopt;
    const auto seq = m_stanzas.find(post.chat, post.stanza.replaces, post.operator_jid);
    if (!seq) return std::nullopt;
    if (const auto original = m_messages.replaces_of(post.chat, *seq)) return original;
    return seq;
  }

  // One action inside apply(); false rejects the whole batch.
  bool write(const core::SetState& change, Millis) { return m_chats.set_state(change); }

  bool write(const core::SendToOperator& send, Millis now) {
    m_outbox.add(send, now);
    return true;
  }

  bool write(const core::PostToChat& post, Millis now) {
    const auto replaces = corrected(post);
    // Withdrawing a message the visitor never got: nothing to show.
    if (post.stanza.retraction && !replaces) return true;
    // The broker may still post to a chat it just ended ("The chat is now closed.").
    const auto seq = append(post.chat, post.from, post.text, FinalChats::allow, now, replaces,
                            post.from == core::Author::operator_ ? post.name : std::string());
    if (!seq) {
      throw StoreError("cannot post to chat " + std::to_string(post.chat) + ": no such chat");
    }
    if (post.from == core::Author::operator_) {
      m_applying.emplace_back(post.chat,
                              Message{*seq, post.from, post.text, now, replaces, post.name});
      m_chats.stop_operator_typing(post.chat);  // the message ends it, as in their client
      if (!post.stanza.id.empty())
        m_stanzas.insert(post.chat, *seq, post.operator_jid, post.stanza);
    }
    return true;
  }

  bool write(const core::SetOperatorName& named, Millis) {
    m_chats.set_operator_name(named.chat, named.name);
    return true;
  }

  bool write(const core::SetOperatorTyping& typing, Millis) {
    m_chats.set_operator_typing(typing.chat, typing.typing);
    return true;
  }

  bool write(const core::SendTyping& typing, Millis) {
    m_chats.ack_visitor_typing(typing.chat, typing.typing);
    return true;
  }

  bool write(const core::MarkRelayed& relayed, Millis) {
    m_chats.mark_relayed(relayed.chat, relayed.seq);
    return true;
  }

  bool write(const core::HoldMessages& hold, Millis) {
    m_chats.hold_messages(hold.chat);
    return true;
  }

  bool write(const core::RelayBacklog& backlog, Millis now) {
    m_outbox.add_backlog(backlog, now);
    m_chats.mark_all_relayed(backlog.chat);
    return true;
  }

  bool write(const core::SetOperatorAvailable& change, Millis) {
    m_operators.set(change.jid, change.available ? sqlite::Availability::available
                                                 : sqlite::Availability::unavailable);
    return true;
  }

  bool write(const core::SetOperatorFree& change, Millis) {
    m_operators.set_free(change.jid, change.free);
    return true;
  }

  bool write(const core::MarkLeftMessage& left, Millis) {
    m_chats.mark_left(left.chat, left.left);
    return true;
  }

  // The switchboard's own bookkeeping: nothing to store.
  bool write(const core::SetVisitorAway&, Millis) { return true; }
  bool write(const core::Offered&, Millis) { return true; }
  bool write(const core::DeferOffer&, Millis) { return true; }
  bool write(const core::MarkDropped&, Millis) { return true; }
  bool write(const core::SetCurrent&, Millis) { return true; }
  bool write(const core::OfferTransfer&, Millis) { return true; }
  // The broker turns these into SendToOperator (it reads what they show) before applying.
  bool write(const core::SendHistory&, Millis) { return true; }
  bool write(const core::SendInfo&, Millis) { return true; }
  bool write(const core::BlockVisitor&, Millis) { return true; }

  bool write(const core::Ignore&, Millis) { return true; }

  // Declared first: the statements below are finalized before the connection closes.
  ReadyDatabase m_ready;
  Database& m_db = m_ready.db;
  sqlite::ChatTable m_chats{m_db};
  sqlite::MessageTable m_messages{m_db};
  sqlite::LimitTable m_limits{m_db};
  sqlite::GatewayTable m_gateways{m_db};
  sqlite::OutboxTable m_outbox{m_db};
  sqlite::OperatorTable m_operators{m_db};
  sqlite::MailTable m_mail{m_db};
  sqlite::StanzaTable m_stanzas{m_db};
  sqlite::VisitorDetailsTable m_details{m_db};
  Statement m_data_version{m_db, "PRAGMA data_version"};
  Statement m_chat_changes_after{
      m_db, "SELECT id, chat_id FROM chat_changes WHERE id > ?1 ORDER BY id LIMIT ?2"};
  Statement m_prune_chat_changes{
      m_db, "DELETE FROM chat_changes WHERE id <= (SELECT max(id) FROM chat_changes) - ?1"};
  std::vector<std::pair<ChatId, Message>> m_applying;        // by the apply() under way
  std::vector<std::pair<ChatId, Message>> m_operator_lines;  // take_operator_lines()
  std::optional<core::Addressing> m_relay;                   // relay_open_lines()
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path) {
  return std::make_unique<SqliteStore>(path);
}

}  // namespace seshat::store
