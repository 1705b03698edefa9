// The PostgreSQL implementation of Store: the same tables, guarded transitions, batches and
// outbox as SQLite's (sqlite_store.cpp), for several processes on several machines.
//
// Transactions: READ COMMITTED, and every write transaction (a batch, or one method outside a
// batch) first takes one transaction-level advisory lock, the writers' lock: writes commit one
// after the other, as in SQLite. So ids and seqs commit in increasing order (the broker reads
// "outbox rows after id N" and never skips a row a slower transaction was still writing; a
// reader never sees seq 5 before seq 4), and transactions that touch several chats (a gateway's
// group commit, the broker's pump) cannot deadlock on each other's rows. Group commit keeps the
// throughput: one commit for all the requests a gateway's batch gathered. Reads take no lock.
// Change feed: every write transaction that touched a chat sends, inside the transaction,
// NOTIFY seshat '<commit ms> <chat ids>' (pg_listener.cpp wakes the waiters of every process).
// Fencing: after fence(epoch), every write transaction also locks the leader_epoch row FOR
// SHARE with that epoch; a newer leader's takeover waits for it, and afterwards the check
// fails, so a former leader writes nothing.

#include <algorithm>
#include <cctype>
#include <chrono>
#include <set>
#include <string>
#include <utility>
#include <variant>

#include "core/chat_machine.hpp"
#include "core/presence.hpp"
#include "store/pg_db.hpp"
#include "store/pg_migrations.hpp"
#include "store/store.hpp"

namespace seshat::store {
namespace {

using pg::Connection;
using pg::Param;
using pg::param;
using pg::Rows;

constexpr std::int64_t k_writers_lock = 0x5e5a7002;
constexpr int k_expired_chats_per_pass = 50;
constexpr std::size_t k_max_payload = 7000;  // NOTIFY payloads must stay under 8000 bytes

Millis now_millis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

const std::string k_live = "state IN ('waiting', 'notified', 'open')";
const std::string k_request = "state IN ('waiting', 'notified')";
const std::string k_columns =
    "id, state, visitor_name, opening_message, page, operator_jid, token_hash, last_seq, "
    "relayed_seq, broker_seen, created_at, visitor_seen_at, told_held, email, left_message, "
    "language, handed_seq, read_seq, operator_name, operator_typing";

core::ChatState state_from(const std::string& name) {
  if (auto state = core::chat_state_from_string(name)) return *state;
  throw StoreError("unknown chat state \"" + name + "\" in the database");
}

std::string state_of(core::ChatState state) {
  return std::string(core::to_string(state));
}

core::Author author_from(const std::string& name) {
  if (auto author = core::author_from_string(name)) return *author;
  throw StoreError("unknown message author \"" + name + "\" in the database");
}

ChatRecord read_record(const Rows& rows, int row) {
  ChatRecord record;
  record.chat.id = rows.int_at(row, 0);
  record.chat.state = state_from(rows.text_at(row, 1));
  record.chat.visitor_name = rows.text_at(row, 2);
  record.chat.opening_message = rows.text_at(row, 3);
  record.chat.page = rows.text_at(row, 4);
  record.chat.operator_jid = rows.text_at(row, 5);
  record.token_hash = rows.text_at(row, 6);
  record.last_seq = rows.int_at(row, 7);
  record.relayed_seq = rows.int_at(row, 8);
  if (!rows.is_null(row, 9)) record.broker_seen = state_from(rows.text_at(row, 9));
  record.created_at = rows.int_at(row, 10);
  record.visitor_seen_at = rows.int_at(row, 11);
  record.chat.told_held = rows.int_at(row, 12) != 0;
  record.chat.email = rows.text_at(row, 13);
  record.chat.left_message = rows.int_at(row, 14) != 0;
  record.chat.created_at = record.created_at;
  record.chat.language = rows.text_at(row, 15);
  record.handed_seq = rows.int_at(row, 16);
  record.read_seq = rows.int_at(row, 17);
  record.operator_name = rows.text_at(row, 18);
  record.operator_typing = rows.int_at(row, 19) != 0;
  return record;
}

std::vector<ChatRecord> read_records(const Rows& rows) {
  std::vector<ChatRecord> records;
  records.reserve(static_cast<std::size_t>(rows.size()));
  for (int row = 0; row < rows.size(); ++row) records.push_back(read_record(rows, row));
  return records;
}

int count_of(const Rows& rows) {
  return rows.empty() ? 0 : static_cast<int>(rows.int_at(0, 0));
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

enum class FinalChats { refuse, allow };
enum class TxKind { write, snapshot };

class PgStore;

// A write transaction: BEGIN on the outermost, a savepoint inside another (a batch), so that
// each write still succeeds or fails on its own. Rolls back unless committed.
class Tx {
 public:
  explicit Tx(PgStore& store, TxKind kind = TxKind::write);
  ~Tx();
  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;
  void commit();

 private:
  PgStore& m_store;
  bool m_nested = false;
  bool m_done = false;
};

class PgBatch final : public Batch {
 public:
  explicit PgBatch(PgStore& store) : m_store(store), m_tx(store) {}
  void commit() override { m_tx.commit(); }
  [[nodiscard]] bool intact() const override;

 private:
  PgStore& m_store;
  Tx m_tx;
};

class PgStore final : public Store {
 public:
  explicit PgStore(const std::string& uri) : m_db(uri) {
    // A process frozen (SIGSTOP) or hung inside a transaction must not hold its locks, above
    // all the leadership row's, for long: the server ends such a session.
    m_db.set_session("SET idle_in_transaction_session_timeout = 3000");
    pg::migrate(m_db);
  }

  // --- transactions (used by Tx) ---
  bool begin(TxKind kind) {
    if (m_depth > 0) {
      m_db.exec_script("SAVEPOINT w");
      ++m_depth;
      return true;
    }
    m_depth = 1;
    m_touched.clear();
    try {
      m_db.ensure_connected();
      if (kind == TxKind::snapshot) {
        m_db.exec_script("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        m_db.hold_transaction(true);
        return false;
      }
      m_db.exec_script("BEGIN");
      m_db.hold_transaction(true);
      m_db.exec("SELECT pg_advisory_xact_lock($1)", {param(k_writers_lock)});
      if (m_fence) {
        const auto held = m_db.exec(
            "SELECT 1 FROM leader_epoch WHERE id = 1 AND epoch = $1 FOR SHARE", {param(*m_fence)});
        if (held.empty()) {
          throw StoreError("leadership lost: epoch " + std::to_string(*m_fence) +
                           " is no longer the newest; nothing written");
        }
      }
    } catch (...) {
      m_depth = 0;
      rollback_quietly();
      throw;
    }
    return false;
  }

  void commit(bool nested) {
    if (nested) {
      if (m_db.transaction_failed()) {
        throw StoreError("the batch this write belonged to was rolled back");
      }
      m_db.exec_script("RELEASE SAVEPOINT w");
      --m_depth;
      return;
    }
    if (!m_touched.empty()) {
      std::string payload = pg::process_origin() + " " + std::to_string(now_millis()) + " ";
      bool first = true;
      for (const auto chat : m_touched) {
        if (!first) payload += ',';
        first = false;
        payload += std::to_string(chat);
        if (payload.size() > k_max_payload) {
          payload = pg::process_origin() + " " + std::to_string(now_millis()) +
                    " 0";  // many: "some chat changed"
          break;
        }
      }
      m_db.exec("SELECT pg_notify('seshat', $1)", {param(payload)});
    }
    m_depth = 0;
    m_touched.clear();
    m_db.exec_script("COMMIT");
    m_db.hold_transaction(false);
  }

  void rollback(bool nested) noexcept {
    if (nested) {
      try {
        m_db.exec_script("ROLLBACK TO SAVEPOINT w");
        m_db.exec_script("RELEASE SAVEPOINT w");
      } catch (const StoreError&) {
      }
      --m_depth;
      return;
    }
    m_depth = 0;
    m_touched.clear();
    rollback_quietly();
  }

  [[nodiscard]] bool intact() const { return m_depth > 0 && !m_db.transaction_failed(); }

  // --- Store ---

  std::unique_ptr<Batch> begin_batch() override {
    if (m_depth > 0) throw StoreError("a batch is already open on " + m_db.where());
    return std::make_unique<PgBatch>(*this);
  }

  void checkpoint_if_due() override {}  // the server checkpoints by itself

  ChatId create_chat(const NewChat& chat) override {
    const auto now = now_millis();
    Tx tx(*this);
    const auto rows = m_db.exec(
        "INSERT INTO chats (state, visitor_name, opening_message, page, token_hash, created_at, "
        "visitor_seen_at, email, language, network) VALUES ('waiting', $1, $2, $3, $4, $5, $5, "
        "$6, $7, $8) RETURNING id",
        {param(chat.visitor_name), param(chat.opening_message), param(chat.page),
         param(chat.token_hash), param(now), param(chat.email), param(chat.language),
         param(chat.network)});
    const ChatId id = rows.int_at(0, 0);
    touch(id);
    if (!chat.opening_message.empty()) {
      (void)append(id, core::Author::visitor, chat.opening_message, FinalChats::refuse, now);
    }
    tx.commit();
    return id;
  }

  std::optional<ChatRecord> find_chat(ChatId id) override {
    const auto rows = m_db.exec("SELECT " + k_columns + " FROM chats WHERE id = $1", {param(id)});
    if (rows.empty()) return std::nullopt;
    return read_record(rows, 0);
  }

  Added add_message(ChatId chat, core::Author from, const std::string& text) override {
    Tx tx(*this);
    const auto at = now_millis();
    const auto seq = append(chat, from, text, FinalChats::refuse, at);
    if (!seq) return {exists(chat) ? AddResult::chat_final : AddResult::no_such_chat, 0};
    tx.commit();
    return {AddResult::added, *seq, false, at};
  }

  Added add_visitor_message_once(ChatId chat, const std::string& text,
                                 const std::string& client_id) override {
    Tx tx(*this);
    // The chat's row lock first: two retries of one message queue here, and the second finds
    // the first's client id.
    if (m_db.exec("SELECT 1 FROM chats WHERE id = $1 FOR UPDATE", {param(chat)}).empty()) {
      return {AddResult::no_such_chat, 0};
    }
    const auto earlier = m_db.exec("SELECT seq FROM messages WHERE chat_id = $1 AND client_id = $2",
                                   {param(chat), param(client_id)});
    if (!earlier.empty()) return {AddResult::added, earlier.int_at(0, 0), true};
    const auto at = now_millis();
    const auto seq =
        append(chat, core::Author::visitor, text, FinalChats::refuse, at, {}, {}, client_id);
    if (!seq) return {AddResult::chat_final, 0};
    tx.commit();
    return {AddResult::added, *seq, false, at};
  }

  std::vector<Message> messages_after(ChatId chat, Seq after, int limit) override {
    std::vector<Message> messages;
    if (limit <= 0) return messages;
    const auto rows = m_db.exec(
        "SELECT seq, author, text, at, replaces, name FROM messages WHERE chat_id = $1 AND seq > "
        "$2 ORDER BY seq LIMIT $3",
        {param(chat), param(after), param(std::int64_t{limit})});
    for (int row = 0; row < rows.size(); ++row) {
      messages.push_back(
          Message{rows.int_at(row, 0), author_from(rows.text_at(row, 1)), rows.text_at(row, 2),
                  rows.int_at(row, 3),
                  rows.is_null(row, 4) ? std::nullopt : std::optional<Seq>(rows.int_at(row, 4)),
                  rows.is_null(row, 5) ? std::string() : rows.text_at(row, 5)});
    }
    return messages;
  }

  bool close_by_visitor(ChatId chat, const std::string& text) override {
    Tx tx(*this);
    const auto rows = m_db.exec(
        "UPDATE chats SET state = 'closed', last_seq = last_seq + 1 "
        "WHERE id = $1 AND " +
            k_live + " RETURNING last_seq",
        {param(chat)});
    if (rows.empty()) return false;
    insert_message(chat, Message{rows.int_at(0, 0), core::Author::system, text, now_millis()});
    touch(chat);
    tx.commit();
    return true;
  }

  void touch_visitor(ChatId chat, Millis now) override {
    Tx tx(*this);
    // Nobody waits for this: the broker looks for silent visitors every second.
    m_db.exec("UPDATE chats SET visitor_seen_at = $2 WHERE id = $1 AND visitor_seen_at <> $3",
              {param(chat), param(now), param(k_held)});
    tx.commit();
  }

  std::int64_t add_gateway(Millis now) override {
    Tx tx(*this);
    const auto rows =
        m_db.exec("INSERT INTO gateways (seen_at) VALUES ($1) RETURNING id", {param(now)});
    tx.commit();
    return rows.int_at(0, 0);
  }

  bool refresh_gateway(std::int64_t gateway, Millis now) override {
    Tx tx(*this);
    const auto rows = m_db.exec("UPDATE gateways SET seen_at = $2 WHERE id = $1 RETURNING id",
                                {param(gateway), param(now)});
    tx.commit();
    return !rows.empty();
  }

  void hold_visitor(ChatId chat, std::int64_t gateway) override {
    Tx tx(*this);
    m_db.exec(
        "INSERT INTO visitor_holds (chat_id, gateway_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        {param(chat), param(gateway)});
    m_db.exec("UPDATE chats SET visitor_seen_at = $2 WHERE id = $1", {param(chat), param(k_held)});
    tx.commit();
  }

  void let_go_visitor(ChatId chat, std::int64_t gateway, Millis now) override {
    Tx tx(*this);
    m_db.exec("DELETE FROM visitor_holds WHERE chat_id = $1 AND gateway_id = $2",
              {param(chat), param(gateway)});
    m_db.exec(
        "UPDATE chats SET visitor_seen_at = $2 WHERE id = $1 AND NOT EXISTS "
        "(SELECT 1 FROM visitor_holds WHERE chat_id = $1)",
        {param(chat), param(now)});
    tx.commit();
  }

  void remove_gateway(std::int64_t gateway, Millis now) override {
    Tx tx(*this);
    remove_gateway_rows(gateway, now);
    tx.commit();
  }

  int reap_gateways(Millis stale_before) override {
    const std::string stale_sql = "SELECT id, seen_at FROM gateways WHERE seen_at < $1";
    // Asked every second: no write transaction (the writers' lock) unless one is stale.
    if (m_db.exec(stale_sql, {param(stale_before)}).empty()) return 0;
    Tx tx(*this);
    const auto stale = m_db.exec(stale_sql, {param(stale_before)});
    for (int row = 0; row < stale.size(); ++row)
      remove_gateway_rows(stale.int_at(row, 0), stale.int_at(row, 1));
    tx.commit();
    return stale.size();
  }

  int available_operators() override {
    return count_of(m_db.exec("SELECT count(*) FROM operators WHERE available <> 0"));
  }
  int free_operators() override {
    return count_of(m_db.exec("SELECT count(*) FROM operators WHERE free <> 0"));
  }
  std::vector<ChatId> queue() override {
    const auto rows = m_db.exec("SELECT id FROM chats WHERE " + k_request + " ORDER BY id");
    std::vector<ChatId> ids;
    ids.reserve(static_cast<std::size_t>(rows.size()));
    for (int row = 0; row < rows.size(); ++row) ids.push_back(rows.int_at(row, 0));
    return ids;
  }

  void set_chat_details(ChatId chat, const ChatDetails& details) override {
    Tx tx(*this);
    m_db.exec(
        "INSERT INTO chat_details (chat_id, visitor, referrer, user_agent, address, utc_offset) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (chat_id) DO UPDATE SET "
        "visitor = excluded.visitor, referrer = excluded.referrer, "
        "user_agent = excluded.user_agent, address = excluded.address, "
        "utc_offset = excluded.utc_offset",
        {param(chat), param(details.visitor), param(details.referrer), param(details.user_agent),
         param(details.address),
         details.utc_offset ? param(std::int64_t{*details.utc_offset}) : Param{}});
    tx.commit();
  }
  std::optional<VisitorInfo> visitor_info(ChatId chat, int earlier_limit) override {
    const auto rows = m_db.exec(
        "SELECT coalesce(d.visitor, ''), coalesce(d.referrer, ''), coalesce(d.user_agent, ''), "
        "coalesce(d.address, ''), d.utc_offset, d.accepted_at "
        "FROM chats c LEFT JOIN chat_details d ON d.chat_id = c.id WHERE c.id = $1",
        {param(chat)});
    if (rows.empty()) return std::nullopt;
    VisitorInfo info;
    info.details.visitor = rows.text_at(0, 0);
    info.details.referrer = rows.text_at(0, 1);
    info.details.user_agent = rows.text_at(0, 2);
    info.details.address = rows.text_at(0, 3);
    if (!rows.is_null(0, 4)) info.details.utc_offset = static_cast<int>(rows.int_at(0, 4));
    if (!rows.is_null(0, 5)) info.accepted_at = rows.int_at(0, 5);
    if (info.details.visitor.empty()) return info;
    const auto earlier = m_db.exec(
        "SELECT c.id, c.created_at, c.state FROM chat_details d JOIN chats c ON c.id = d.chat_id "
        "WHERE d.visitor = $1 AND d.chat_id < $2 ORDER BY d.chat_id DESC LIMIT $3",
        {param(info.details.visitor), param(chat), param(std::int64_t{earlier_limit})});
    for (int row = 0; row < earlier.size(); ++row) {
      info.earlier.push_back(
          {earlier.int_at(row, 0), earlier.int_at(row, 1), state_from(earlier.text_at(row, 2))});
    }
    info.earlier_count =
        count_of(m_db.exec("SELECT count(*) FROM chat_details WHERE visitor = $1 AND chat_id < $2",
                           {param(info.details.visitor), param(chat)}));
    return info;
  }
  bool block(ChatId chat, Millis until) override {
    Tx tx(*this);
    const bool blocked = m_db.exec(
                                 "INSERT INTO blocks (chat_id, visitor, address, until) "
                                 "SELECT chat_id, visitor, address, $2 FROM chat_details "
                                 "WHERE chat_id = $1 AND (visitor <> '' OR address <> '')",
                                 {param(chat), param(until)})
                             .affected() > 0;
    tx.commit();
    return blocked;
  }
  int unblock(ChatId chat) override {
    Tx tx(*this);
    const auto lifted = static_cast<int>(
        m_db.exec("DELETE FROM blocks WHERE chat_id = $1", {param(chat)}).affected());
    tx.commit();
    return lifted;
  }
  bool is_blocked(const std::string& visitor, const std::string& address, Millis now) override {
    return !m_db.exec(
                    "SELECT 1 FROM blocks WHERE until > $3 AND ((visitor = $1 AND $1 <> '') OR "
                    "(address = $2 AND $2 <> '')) LIMIT 1",
                    {param(visitor), param(address), param(now)})
                .empty();
  }
  int chats_created_within(Millis window, const std::string& network) override {
    const auto since = now_millis() - window;
    if (network.empty()) {
      return count_of(
          m_db.exec("SELECT count(*) FROM chats WHERE created_at >= $1", {param(since)}));
    }
    return count_of(m_db.exec("SELECT count(*) FROM chats WHERE network = $2 AND created_at >= $1",
                              {param(since), param(network)}));
  }
  void record_visitor_send(const std::string& network) override {
    const auto now = now_millis();
    Tx tx(*this);
    if (now - m_forgot_at >= k_send_step_ms) {
      m_db.exec("DELETE FROM visitor_send_counts WHERE at_step < $1",
                {param(send_step_of(now - k_send_memory_ms))});
      m_forgot_at = now;
    }
    m_db.exec(
        "INSERT INTO visitor_send_counts (network, at_step, sends) VALUES ($1, $2, 1) ON "
        "CONFLICT (network, at_step) DO UPDATE SET sends = visitor_send_counts.sends + 1",
        {param(network), param(send_step_of(now))});
    tx.commit();
  }
  // Counted in steps, as in SQLite (sqlite_limits.cpp).
  int visitor_sends_within(Millis window, const std::string& network) override {
    return count_of(
        m_db.exec("SELECT coalesce(sum(sends), 0) FROM visitor_send_counts WHERE network = $2 AND "
                  "at_step >= $1",
                  {param(send_step_of(now_millis() - window)), param(network)}));
  }
  int visitor_messages(ChatId chat) override {
    return count_of(m_db.exec("SELECT visitor_count FROM chats WHERE id = $1", {param(chat)}));
  }
  // The database's disk is the server's: not known here (the min_free_disk_mb check is off).
  std::optional<std::uint64_t> free_disk_bytes() override { return std::nullopt; }

  int hand_up(ChatId chat, Seq seq) override {
    Tx tx(*this);
    const int queued = hand_up_in_transaction(chat, seq, now_millis());
    tx.commit();
    return queued;
  }

  int mark_read(ChatId chat, Seq seq) override {
    const auto now = now_millis();
    Tx tx(*this);
    int queued = hand_up_in_transaction(chat, seq, now);
    const auto rows = m_db.exec("SELECT read_seq FROM chats WHERE id = $1", {param(chat)});
    if (!rows.empty() && seq > rows.int_at(0, 0)) {
      // XEP-0333: a marker for the last message says the earlier ones were seen too.
      queued += static_cast<int>(
          m_db.exec("INSERT INTO outbox (jid, text, chat_id, created_at, kind, ref) "
                    "SELECT jid, '', chat_id, $4, 'displayed', stanza_id FROM operator_stanzas "
                    "WHERE chat_id = $1 AND seq > $2 AND seq <= $3 AND markable = 1 "
                    "ORDER BY seq DESC LIMIT 1",
                    {param(chat), param(rows.int_at(0, 0)), param(seq), param(now)})
              .affected());
      m_db.exec("UPDATE chats SET read_seq = $2 WHERE id = $1 AND read_seq < $2",
                {param(chat), param(seq)});
    }
    if (queued > 0) touch(chat);  // the broker has acknowledgements to send
    tx.commit();
    return queued;
  }

  bool set_visitor_typing(ChatId chat, bool typing) override {
    Tx tx(*this);
    const bool changed = m_db.exec(
                                 "UPDATE chats SET visitor_typing = $2 WHERE id = $1 AND "
                                 "visitor_typing <> $2 AND " +
                                     k_live,
                                 {param(chat), param(typing)})
                             .affected() == 1;
    if (changed) touch(chat);
    tx.commit();
    return changed;
  }

  std::vector<ChatRecord> live_chats() override {
    return read_records(
        m_db.exec("SELECT " + k_columns + " FROM chats WHERE " + k_live + " ORDER BY id"));
  }

  std::vector<ChatRecord> overdue_chats(Millis seen_before, Millis created_before) override {
    return read_records(m_db.exec("SELECT " + k_columns + " FROM chats WHERE " + k_live +
                                      " AND visitor_seen_at < $1 UNION SELECT " + k_columns +
                                      " FROM chats WHERE " + k_request +
                                      " AND created_at < $2 ORDER BY id",
                                  {param(seen_before), param(created_before)}));
  }

  Pending pending(int max_changed_chats) override {
    // One snapshot, so a message is never reported for a chat state that is not.
    Tx tx(*this, TxKind::snapshot);
    Pending pending;
    if (max_changed_chats > 0) {
      pending.changed_chats = read_records(
          m_db.exec("SELECT " + k_columns +
                        " FROM chats WHERE broker_seen IS NULL OR broker_seen <> state ORDER BY "
                        "id LIMIT $1",
                    {param(std::int64_t{max_changed_chats} + 1)}));
      if (pending.changed_chats.size() > static_cast<std::size_t>(max_changed_chats)) {
        pending.changed_chats.pop_back();
        pending.more_chats = true;
      }
    }
    const auto messages = m_db.exec(
        "SELECT m.chat_id, m.seq, m.text, m.at FROM chats c JOIN messages m "
        "ON m.chat_id = c.id AND m.seq > c.relayed_seq WHERE c.visitor_seq > c.relayed_seq "
        "AND (c.state = 'open' OR (c.state IN ('waiting', 'notified') AND c.told_held = 0)) "
        "AND m.author = 'visitor' ORDER BY c.id, m.seq");
    for (int row = 0; row < messages.size(); ++row) {
      pending.visitor_messages.push_back(Pending::VisitorMessage{
          messages.int_at(row, 0), Message{messages.int_at(row, 1), core::Author::visitor,
                                           messages.text_at(row, 2), messages.int_at(row, 3)}});
    }
    const auto typing = m_db.exec(
        "SELECT id, visitor_typing FROM chats WHERE visitor_typing <> visitor_typing_sent "
        "ORDER BY id");
    for (int row = 0; row < typing.size(); ++row) {
      pending.visitor_typing.push_back({typing.int_at(row, 0), typing.int_at(row, 1) != 0});
    }
    tx.commit();
    return pending;
  }

  bool apply(const core::Actions& actions, std::optional<SeenState> seen) override {
    const auto now = now_millis();
    Tx tx(*this);
    // First, so that a SetState in the same batch sets broker_seen to its own target.
    if (seen) {
      m_db.exec("UPDATE chats SET broker_seen = $2 WHERE id = $1",
                {param(seen->chat), param(state_of(seen->state))});
    }
    m_applying.clear();
    for (const auto& action : actions) {
      const bool applied = std::visit([&](const auto& one) { return write(one, now); }, action);
      if (!applied) return false;  // the transaction rolls back
    }
    tx.commit();
    m_operator_lines.insert(m_operator_lines.end(), std::make_move_iterator(m_applying.begin()),
                            std::make_move_iterator(m_applying.end()));
    return true;
  }

  std::vector<std::pair<ChatId, Message>> take_operator_lines() override {
    return std::exchange(m_operator_lines, {});
  }

  std::vector<OutboxItem> undelivered(std::int64_t after_id, int limit) override {
    std::vector<OutboxItem> items;
    if (limit <= 0) return items;
    const auto rows = m_db.exec(
        "SELECT id, jid, text, chat_id, kind, ref FROM outbox WHERE delivered = 0 AND "
        "id > $1 ORDER BY id LIMIT $2",
        {param(after_id), param(std::int64_t{limit})});
    for (int row = 0; row < rows.size(); ++row) {
      const auto kind = rows.text_at(row, 4);
      items.push_back(OutboxItem{rows.int_at(row, 0), rows.text_at(row, 1), rows.text_at(row, 2),
                                 rows.int_at(row, 3),
                                 kind == "received"    ? OutboxKind::received
                                 : kind == "displayed" ? OutboxKind::displayed
                                                       : OutboxKind::message,
                                 rows.text_at(row, 5)});
    }
    return items;
  }

  void mark_delivered(const std::vector<std::int64_t>& outbox_ids) override {
    if (outbox_ids.empty()) return;
    std::string list = "{";
    for (std::size_t i = 0; i < outbox_ids.size(); ++i) {
      if (i > 0) list += ',';
      list += std::to_string(outbox_ids[i]);
    }
    list += '}';
    Tx tx(*this);
    // On its own, its commit need not wait for the disk: lost in a crash, the rows are only
    // sent again, with the same ids. Inside a batch it is durable with the rest.
    if (m_depth == 1) m_db.exec_script("SET LOCAL synchronous_commit = off");
    m_db.exec("UPDATE outbox SET delivered = 1 WHERE id = ANY($1::bigint[])", {param(list)});
    tx.commit();
  }

  void reset_operators() override {
    Tx tx(*this);
    m_db.exec("UPDATE operators SET available = 0, free = 0 WHERE available <> 0 OR free <> 0");
    tx.commit();
  }

  // --- mail ---

  std::vector<MailWatch> mail_watch(int limit) override {
    std::vector<MailWatch> chats;
    if (limit <= 0) return chats;
    const auto rows = m_db.exec(
        "SELECT id, state, email, visitor_seen_at, mailed_seq FROM chats WHERE email <> '' AND "
        "last_seq > mailed_seq ORDER BY id LIMIT $1",
        {param(std::int64_t{limit})});
    for (int row = 0; row < rows.size(); ++row) {
      chats.push_back(MailWatch{rows.int_at(row, 0), state_from(rows.text_at(row, 1)),
                                rows.text_at(row, 2), rows.int_at(row, 3), rows.int_at(row, 4)});
    }
    return chats;
  }

  bool settle_mail(ChatId chat, Seq from, Seq to) override {
    Tx tx(*this);
    if (!settle(chat, from, to)) return false;
    tx.commit();
    return true;
  }

  std::optional<std::int64_t> queue_reply_mail(ChatId chat, Seq from, Seq first_new, Seq up_to,
                                               const std::string& rcpt, Millis now) override {
    Tx tx(*this);
    if (!settle(chat, from, up_to)) return std::nullopt;
    const auto id = insert_mail(chat, "reply", rcpt, first_new, up_to, now);
    tx.commit();
    return id;
  }

  TranscriptQueued queue_transcript_mail(ChatId chat, const std::string& rcpt, Seq up_to,
                                         const MailLimits& limits, Millis now) override {
    constexpr Millis k_hour = 3'600'000;
    Tx tx(*this);
    // The chat's row lock: two requests for one chat decide one after the other.
    (void)m_db.exec("SELECT 1 FROM chats WHERE id = $1 FOR UPDATE", {param(chat)});
    const auto key = lower(rcpt);
    if (!m_db.exec("SELECT 1 FROM mail WHERE chat_id = $1 AND kind = 'transcript' AND rcpt_key = "
                   "$2 AND up_to_seq >= $3 AND failed_at IS NULL LIMIT 1",
                   {param(chat), param(key), param(up_to)})
             .empty()) {
      return TranscriptQueued::duplicate;
    }
    if (count_of(m_db.exec("SELECT count(*) FROM mail WHERE chat_id = $1 AND kind = 'transcript'",
                           {param(chat)})) >= limits.transcripts_per_chat) {
      return TranscriptQueued::too_many_for_chat;
    }
    if (count_of(m_db.exec("SELECT count(*) FROM mail WHERE rcpt_key = $1 AND created_at >= $2",
                           {param(key), param(now - k_hour)})) >= limits.per_address_per_hour) {
      return TranscriptQueued::too_many_for_address;
    }
    (void)insert_mail(chat, "transcript", rcpt, 1, up_to, now);
    tx.commit();
    return TranscriptQueued::queued;
  }

  std::vector<MailItem> due_mail(Millis now, int limit) override {
    std::vector<MailItem> items;
    if (limit <= 0) return items;
    const auto rows = m_db.exec(
        "SELECT id, chat_id, kind, rcpt, first_seq, up_to_seq, created_at, attempts FROM mail "
        "WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 "
        "ORDER BY next_attempt_at, id LIMIT $2",
        {param(now), param(std::int64_t{limit})});
    for (int row = 0; row < rows.size(); ++row) {
      const auto kind = rows.text_at(row, 2);
      if (kind != "reply" && kind != "transcript")
        throw StoreError("unknown mail kind \"" + kind + "\" in the database");
      items.push_back(MailItem{rows.int_at(row, 0), rows.int_at(row, 1),
                               kind == "reply" ? MailKind::reply : MailKind::transcript,
                               rows.text_at(row, 3), rows.int_at(row, 4), rows.int_at(row, 5),
                               rows.int_at(row, 6), static_cast<int>(rows.int_at(row, 7))});
    }
    return items;
  }

  std::vector<Millis> mail_sent_to(const std::string& rcpt, Millis since) override {
    std::vector<Millis> times;
    const auto rows =
        m_db.exec("SELECT sent_at FROM mail WHERE rcpt_key = $1 AND sent_at >= $2 ORDER BY sent_at",
                  {param(lower(rcpt)), param(since)});
    for (int row = 0; row < rows.size(); ++row) times.push_back(rows.int_at(row, 0));
    return times;
  }

  void mark_mail_sent(std::int64_t id, Millis now) override {
    write_one("UPDATE mail SET sent_at = $2, last_error = '' WHERE id = $1",
              {param(id), param(now)});
  }
  void retry_mail(std::int64_t id, Millis next_attempt, const std::string& error) override {
    write_one(
        "UPDATE mail SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3 WHERE id "
        "= $1",
        {param(id), param(next_attempt), param(error)});
  }
  void defer_mail(std::int64_t id, Millis next_attempt) override {
    write_one("UPDATE mail SET next_attempt_at = $2 WHERE id = $1",
              {param(id), param(next_attempt)});
  }
  void mark_mail_failed(std::int64_t id, Millis now, const std::string& error) override {
    write_one(
        "UPDATE mail SET failed_at = $2, attempts = attempts + 1, last_error = $3 WHERE id = $1",
        {param(id), param(now), param(error)});
  }
  int unsent_mail() override {
    return count_of(
        m_db.exec("SELECT count(*) FROM mail WHERE sent_at IS NULL AND failed_at IS "
                  "NULL"));
  }
  std::string mail_site() override {
    const auto rows = m_db.exec("SELECT value FROM mail_site WHERE id = 1");
    if (rows.empty()) throw StoreError("the mail_site row is missing (" + m_db.where() + ")");
    return rows.text_at(0, 0);
  }

  Purged purge_expired(Millis before, int max_rows) override {
    Tx tx(*this);
    Purged purged;
    const auto chats = m_db.exec(
        "SELECT id FROM chats WHERE ended_at IS NOT NULL AND ended_at < $1 AND NOT EXISTS "
        "(SELECT 1 FROM mail WHERE mail.chat_id = chats.id AND mail.sent_at IS NULL AND "
        "mail.failed_at IS NULL) ORDER BY ended_at LIMIT $2",
        {param(before), param(std::int64_t{k_expired_chats_per_pass})});
    for (int row = 0; row < chats.size(); ++row) {
      const auto chat = chats.int_at(row, 0);
      const int room = max_rows - purged.rows();
      if (room <= 0) break;
      const auto messages = static_cast<int>(
          m_db.exec("DELETE FROM messages WHERE chat_id = $1 AND seq IN (SELECT seq FROM "
                    "messages WHERE chat_id = $1 ORDER BY seq LIMIT $2)",
                    {param(chat), param(std::int64_t{room})})
              .affected());
      purged.messages += messages;
      if (messages == room) break;  // maybe more of this chat: the next pass goes on
      m_db.exec("DELETE FROM operator_stanzas WHERE chat_id = $1", {param(chat)});
      purged.mail += static_cast<int>(
          m_db.exec("DELETE FROM mail WHERE chat_id = $1", {param(chat)}).affected());
      purged.chats +=
          static_cast<int>(m_db.exec("DELETE FROM chats WHERE id = $1", {param(chat)}).affected());
    }
    if (const int room = max_rows - purged.rows(); room > 0 && purged.messages < max_rows) {
      const auto bound = m_db.exec(
          "SELECT id FROM outbox WHERE created_at >= $1 OR delivered = 0 ORDER BY id LIMIT 1",
          {param(before)});
      const std::int64_t below =
          bound.empty() ? std::numeric_limits<std::int64_t>::max() : bound.int_at(0, 0);
      purged.outbox = static_cast<int>(
          m_db.exec("DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE id < $1 ORDER BY "
                    "id LIMIT $2)",
                    {param(below), param(std::int64_t{room})})
              .affected());
    }
    tx.commit();
    return purged;
  }

  // The newest transaction id the server has handed out: changes with every write anywhere.
  std::int64_t data_version() override {
    return m_db.exec("SELECT txid_snapshot_xmax(txid_current_snapshot())").int_at(0, 0);
  }

  // Its notifications name the chats (PgListener).
  std::int64_t log_chat_changes() override {
    throw StoreError("PostgreSQL notifies which chats changed: no log of them");
  }
  ChatChanges chat_changes_after(std::int64_t, int) override { return ChatChanges{0, {}, false}; }
  void prune_chat_changes(int) override {}

  // --- leadership ---

  std::optional<std::int64_t> try_lead(const std::string& holder, Millis lease_ms) override {
    if (!m_lease_session) {
      // A lease statement waits for a frozen leader's write (its FOR SHARE) no longer than
      // this; the next round tries again.
      m_db.set_session("SET lock_timeout = 1000");
      m_lease_session = true;
    }
    // One transaction: the lease, then the epoch, which waits for a former leader's write in
    // flight (its FOR SHARE) to end; after it, that leader's next write fails its check.
    m_db.exec_script("BEGIN");
    m_db.hold_transaction(true);
    try {
      const auto rows = m_db.exec(
          "UPDATE leadership SET holder = $1, epoch = epoch + 1, "
          "expires_at = clock_timestamp() + $2 * interval '1 millisecond' "
          "WHERE id = 1 AND expires_at < clock_timestamp() RETURNING epoch",
          {param(holder), param(lease_ms)});
      if (rows.empty()) {
        rollback_quietly();
        return std::nullopt;
      }
      const auto epoch = rows.int_at(0, 0);
      m_db.exec("UPDATE leader_epoch SET epoch = $1 WHERE id = 1", {param(epoch)});
      m_db.exec_script("COMMIT");
      m_db.hold_transaction(false);
      return epoch;
    } catch (...) {
      rollback_quietly();
      throw;
    }
  }

  bool renew_lead(std::int64_t epoch, Millis lease_ms) override {
    if (!m_lease_session) {
      m_db.set_session("SET lock_timeout = 1000");
      m_lease_session = true;
    }
    return m_db.exec(
                   "UPDATE leadership SET expires_at = clock_timestamp() + $2 * interval '1 "
                   "millisecond' WHERE id = 1 AND epoch = $1",
                   {param(epoch), param(lease_ms)})
               .affected() == 1;
  }

  void release_lead(std::int64_t epoch) override {
    (void)m_db.exec("UPDATE leadership SET expires_at = '-infinity' WHERE id = 1 AND epoch = $1",
                    {param(epoch)});
  }

  void fence(std::int64_t epoch) override { m_fence = epoch; }

  std::optional<Leader> leader() override {
    const auto rows = m_db.exec(
        "SELECT holder, epoch, (extract(epoch FROM (expires_at - clock_timestamp())) * "
        "1000)::bigint FROM leadership WHERE id = 1 AND expires_at > '-infinity'");
    if (rows.empty()) return std::nullopt;
    return Leader{rows.text_at(0, 0), rows.int_at(0, 1), rows.int_at(0, 2)};
  }

 private:
  void rollback_quietly() noexcept {
    try {
      if (m_db.in_transaction()) m_db.exec_script("ROLLBACK");
    } catch (const StoreError&) {
    }
    m_db.hold_transaction(false);
  }

  void touch(ChatId chat) { m_touched.insert(chat); }

  // The chats only `gateway` holds are seen at `seen`; then its holds and its row go.
  void remove_gateway_rows(std::int64_t gateway, Millis seen) {
    m_db.exec(
        "UPDATE chats SET visitor_seen_at = $2 WHERE id IN (SELECT chat_id FROM "
        "visitor_holds WHERE gateway_id = $1) AND NOT EXISTS (SELECT 1 FROM visitor_holds "
        "AS other WHERE other.chat_id = chats.id AND other.gateway_id <> $1)",
        {param(gateway), param(seen)});
    m_db.exec("DELETE FROM visitor_holds WHERE gateway_id = $1", {param(gateway)});
    m_db.exec("DELETE FROM gateways WHERE id = $1", {param(gateway)});
  }

  bool exists(ChatId chat) {
    return !m_db.exec("SELECT 1 FROM chats WHERE id = $1", {param(chat)}).empty();
  }

  void write_one(const std::string& sql, const std::vector<Param>& params) {
    Tx tx(*this);
    m_db.exec(sql, params);
    tx.commit();
  }

  std::optional<Seq> append(ChatId chat, core::Author from, const std::string& text,
                            FinalChats final_chats, Millis now,
                            std::optional<Seq> replaces = std::nullopt, std::string name = {},
                            const std::string& client_id = {}) {
    std::string sql;
    if (from == core::Author::visitor) {
      // A visitor who sends has stopped typing (the message tells the operator's client so).
      sql =
          "UPDATE chats SET last_seq = last_seq + 1, visitor_seq = last_seq + 1, visitor_count = "
          "visitor_count + 1, visitor_typing = 0, visitor_typing_sent = 0 WHERE id = $1 AND " +
          k_live;
    } else if (final_chats == FinalChats::refuse) {
      sql = "UPDATE chats SET last_seq = last_seq + 1 WHERE id = $1 AND " + k_live;
    } else {
      sql = "UPDATE chats SET last_seq = last_seq + 1 WHERE id = $1";
    }
    const auto rows = m_db.exec(sql + " RETURNING last_seq", {param(chat)});
    if (rows.empty()) return std::nullopt;
    const Seq seq = rows.int_at(0, 0);
    insert_message(chat, Message{seq, from, text, now, replaces, std::move(name)}, client_id);
    touch(chat);
    return seq;
  }

  // `client_id`: the visitor's id for the send (empty: none), kept with the row.
  void insert_message(ChatId chat, const Message& message, const std::string& client_id = {}) {
    m_db.exec(
        "INSERT INTO messages (chat_id, seq, author, text, at, replaces, name, client_id) VALUES "
        "($1, $2, $3, $4, $5, $6, $7, $8)",
        {param(chat), param(message.seq), param(std::string(core::to_string(message.from))),
         param(message.text), param(message.at),
         message.replaces ? param(*message.replaces) : Param{},
         message.name.empty() ? Param{} : param(message.name),
         client_id.empty() ? Param{} : param(client_id)});
  }

  int hand_up_in_transaction(ChatId chat, Seq seq, Millis now) {
    const auto rows = m_db.exec("SELECT handed_seq FROM chats WHERE id = $1", {param(chat)});
    if (rows.empty() || seq <= rows.int_at(0, 0)) return 0;
    const int queued = static_cast<int>(
        m_db.exec("INSERT INTO outbox (jid, text, chat_id, created_at, kind, ref) "
                  "SELECT jid, '', chat_id, $4, 'received', stanza_id FROM operator_stanzas "
                  "WHERE chat_id = $1 AND seq > $2 AND seq <= $3 AND receipt = 1 ORDER BY seq",
                  {param(chat), param(rows.int_at(0, 0)), param(seq), param(now)})
            .affected());
    m_db.exec("UPDATE chats SET handed_seq = $2 WHERE id = $1 AND handed_seq < $2",
              {param(chat), param(seq)});
    if (queued > 0) touch(chat);  // the broker has receipts to send
    return queued;
  }

  bool settle(ChatId chat, Seq from, Seq to) {
    return m_db.exec("UPDATE chats SET mailed_seq = $3 WHERE id = $1 AND mailed_seq = $2",
                     {param(chat), param(from), param(to)})
               .affected() == 1;
  }

  std::int64_t insert_mail(ChatId chat, std::string_view kind, const std::string& rcpt,
                           Seq first_seq, Seq up_to_seq, Millis now) {
    return m_db
        .exec(
            "INSERT INTO mail (chat_id, kind, rcpt, rcpt_key, first_seq, up_to_seq, created_at, "
            "next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
            {param(chat), param(kind), param(rcpt), param(lower(rcpt)), param(first_seq),
             param(up_to_seq), param(now)})
        .int_at(0, 0);
  }

  // The message an operator's correction replaces: the one of theirs in this chat whose stanza
  // id it names (the original, when that one was a correction too); none if unknown.
  std::optional<Seq> corrected(const core::PostToChat& post) {
    if (post.from != core::Author::operator_ || post.stanza.replaces.empty()) return std::nullopt;
    const auto operator_jid = core::split_jid(post.operator_jid).bare;
    const auto rows = m_db.exec(
        "SELECT seq, jid FROM operator_stanzas WHERE chat_id = $1 AND stanza_id = $2 ORDER BY "
        "seq DESC",
        {param(post.chat), param(post.stanza.replaces)});
    for (int row = 0; row < rows.size(); ++row) {
      // Another operator's message with the same id (the chat changed hands) is not theirs.
      if (core::split_jid(rows.text_at(row, 1)).bare != operator_jid) continue;
      const Seq seq = rows.int_at(row, 0);
      const auto original =
          m_db.exec("SELECT replaces FROM messages WHERE chat_id = $1 AND seq = $2",
                    {param(post.chat), param(seq)});
      if (!original.empty() && !original.is_null(0, 0)) return original.int_at(0, 0);
      return seq;
    }
    return std::nullopt;
  }

  // One action inside apply(); false rejects the whole batch.
  bool write(const core::SetState& change, Millis) {
    // The guard is the life cycle's table as well as the state it moves from (as in SQLite).
    if (!core::is_allowed(change.from, change.to)) return false;
    Param operator_jid;  // NULL keeps the operator: a chat that ends remembers who handled it
    if (change.to == core::ChatState::open) {
      operator_jid = param(change.operator_jid);
    } else if (change.to == core::ChatState::waiting || change.to == core::ChatState::notified) {
      operator_jid = param("");  // offered again: nobody handles it
    }
    const bool changed =
        m_db.exec(
                "UPDATE chats SET state = $2, operator_jid = coalesce($3, operator_jid), "
                "broker_seen = $2 WHERE id = $1 AND state = $4",
                {param(change.chat), param(state_of(change.to)), operator_jid,
                 param(state_of(change.from))})
            .affected() == 1;
    if (changed) touch(change.chat);
    return changed;
  }

  bool write(const core::SendToOperator& send, Millis now) {
    m_db.exec("INSERT INTO outbox (jid, text, chat_id, created_at) VALUES ($1, $2, $3, $4)",
              {param(send.jid), param(send.text), param(send.chat), param(now)});
    return true;
  }

  bool write(const core::PostToChat& post, Millis now) {
    const auto replaces = corrected(post);
    if (post.stanza.retraction && !replaces) return true;
    const auto seq = append(post.chat, post.from, post.text, FinalChats::allow, now, replaces,
                            post.from == core::Author::operator_ ? post.name : std::string());
    if (!seq) {
      throw StoreError("cannot post to chat " + std::to_string(post.chat) + ": no such chat");
    }
    if (post.from == core::Author::operator_) {
      m_applying.emplace_back(post.chat,
                              Message{*seq, post.from, post.text, now, replaces, post.name});
      m_db.exec("UPDATE chats SET operator_typing = 0 WHERE id = $1 AND operator_typing <> 0",
                {param(post.chat)});
      if (!post.stanza.id.empty()) {
        m_db.exec(
            "INSERT INTO operator_stanzas (chat_id, seq, jid, stanza_id, receipt, markable) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (chat_id, seq) DO UPDATE SET jid = "
            "excluded.jid, stanza_id = excluded.stanza_id, receipt = excluded.receipt, "
            "markable = excluded.markable",
            {param(post.chat), param(*seq), param(post.operator_jid), param(post.stanza.id),
             param(post.stanza.wants_receipt), param(post.stanza.markable)});
      }
    }
    return true;
  }

  bool write(const core::SetOperatorName& named, Millis) {
    m_db.exec("UPDATE chats SET operator_name = $2, operator_typing = 0 WHERE id = $1",
              {param(named.chat), param(named.name)});
    touch(named.chat);
    return true;
  }

  bool write(const core::SetOperatorTyping& typing, Millis) {
    m_db.exec("UPDATE chats SET operator_typing = $2 WHERE id = $1",
              {param(typing.chat), param(typing.typing)});
    touch(typing.chat);
    return true;
  }

  bool write(const core::SendTyping& typing, Millis) {
    m_db.exec("UPDATE chats SET visitor_typing_sent = $2 WHERE id = $1",
              {param(typing.chat), param(typing.typing)});
    return true;
  }

  bool write(const core::MarkRelayed& relayed, Millis) {
    m_db.exec("UPDATE chats SET relayed_seq = greatest(relayed_seq, $2) WHERE id = $1",
              {param(relayed.chat), param(relayed.seq)});
    return true;
  }

  bool write(const core::HoldMessages& hold, Millis) {
    m_db.exec("UPDATE chats SET told_held = 1 WHERE id = $1", {param(hold.chat)});
    return true;
  }

  bool write(const core::RelayBacklog& backlog, Millis now) {
    // Rows are inserted (and so numbered) in the SELECT's order.
    m_db.exec(
        "INSERT INTO outbox (jid, text, chat_id, created_at) SELECT $1, text, chat_id, $3 FROM "
        "messages WHERE chat_id = $2 AND author = 'visitor' ORDER BY seq",
        {param(backlog.jid), param(backlog.chat), param(now)});
    m_db.exec("UPDATE chats SET relayed_seq = visitor_seq WHERE id = $1", {param(backlog.chat)});
    return true;
  }

  bool write(const core::SetOperatorAvailable& change, Millis) {
    m_db.exec(
        "INSERT INTO operators (jid, available) VALUES ($1, $2) ON CONFLICT (jid) DO UPDATE SET "
        "available = excluded.available",
        {param(change.jid), param(change.available)});
    return true;
  }

  bool write(const core::SetOperatorFree& change, Millis) {
    m_db.exec(
        "INSERT INTO operators (jid, available, free) VALUES ($1, 0, $2) ON CONFLICT (jid) DO "
        "UPDATE SET free = excluded.free",
        {param(change.jid), param(change.free)});
    return true;
  }

  bool write(const core::MarkLeftMessage& left, Millis) {
    m_db.exec("UPDATE chats SET left_message = $2 WHERE id = $1",
              {param(left.chat), param(left.left)});
    touch(left.chat);
    return true;
  }

  // The switchboard's own bookkeeping: nothing to store.
  bool write(const core::SetVisitorAway&, Millis) { return true; }
  bool write(const core::Offered&, Millis) { return true; }
  bool write(const core::DeferOffer&, Millis) { return true; }
  bool write(const core::MarkDropped&, Millis) { return true; }
  bool write(const core::Ignore&, Millis) { return true; }
  bool write(const core::SetCurrent&, Millis) { return true; }
  bool write(const core::OfferTransfer&, Millis) { return true; }
  // The broker turns these into SendToOperator (it reads what they show) before applying.
  bool write(const core::SendHistory&, Millis) { return true; }
  bool write(const core::SendInfo&, Millis) { return true; }
  bool write(const core::BlockVisitor&, Millis) { return true; }

  Connection m_db;
  int m_depth = 0;  // open transactions: 1 the outermost, more for savepoints inside it
  std::set<ChatId> m_touched;
  std::vector<std::pair<ChatId, Message>> m_applying;        // by the apply() under way
  std::vector<std::pair<ChatId, Message>> m_operator_lines;  // take_operator_lines()
  std::optional<std::int64_t> m_fence;
  bool m_lease_session = false;  // lock_timeout set: this connection holds or seeks the lease
  Millis m_forgot_at = 0;
};

Tx::Tx(PgStore& store, TxKind kind) : m_store(store) {
  m_nested = m_store.begin(kind);
}

Tx::~Tx() {
  if (!m_done) m_store.rollback(m_nested);
}

void Tx::commit() {
  m_done = true;
  try {
    m_store.commit(m_nested);
  } catch (...) {
    m_store.rollback(m_nested);
    throw;
  }
}

bool PgBatch::intact() const {
  return m_store.intact();
}

}  // namespace

std::unique_ptr<Store> open_postgres_store(const std::string& uri) {
  return std::make_unique<PgStore>(uri);
}

bool is_postgres_uri(const std::string& location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::unique_ptr<Store> open_store(const std::string& location) {
  if (is_postgres_uri(location)) return open_postgres_store(location);
  return open_sqlite_store(location);
}

}  // namespace seshat::store
