#include "store/sqlite_migrations.hpp"

#include <array>
#include <string>
#include <string_view>

namespace seshat::store::sqlite {
namespace {

struct Migration {
  std::string_view name;
  std::string_view sql;
};

// Append only: never edit or reorder a migration that has shipped.
// Times are Unix milliseconds. States and authors are stored by name (sqlite_codec.cpp).
constexpr std::array k_migrations{
    Migration{"create chats, messages, outbox and operators", R"sql(
CREATE TABLE chats (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,  -- ids never repeat, even after deletes
  state           TEXT    NOT NULL,
  visitor_name    TEXT    NOT NULL,
  opening_message TEXT    NOT NULL,
  page            TEXT    NOT NULL,
  operator_jid    TEXT    NOT NULL DEFAULT '',
  token_hash      TEXT    NOT NULL,
  last_seq        INTEGER NOT NULL DEFAULT 0,
  relayed_seq     INTEGER NOT NULL DEFAULT 0,
  broker_seen     TEXT,                               -- NULL: the broker never saw it
  created_at      INTEGER NOT NULL,
  visitor_seen_at INTEGER NOT NULL
);
-- The broker polls these two sets; partial indexes keep the polls proportional to the work.
CREATE INDEX chats_unseen ON chats(id) WHERE broker_seen IS NULL OR broker_seen != state;
CREATE INDEX chats_live ON chats(id) WHERE state IN ('waiting', 'notified', 'open');

CREATE TABLE messages (
  chat_id INTEGER NOT NULL REFERENCES chats(id),
  seq     INTEGER NOT NULL,
  author  TEXT    NOT NULL,
  text    TEXT    NOT NULL,
  at      INTEGER NOT NULL,
  PRIMARY KEY (chat_id, seq)
) WITHOUT ROWID;

CREATE TABLE outbox (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,  -- also the XMPP message id: never reused
  jid        TEXT    NOT NULL,
  text       TEXT    NOT NULL,
  chat_id    INTEGER NOT NULL DEFAULT 0,         -- 0: about no chat
  created_at INTEGER NOT NULL,
  delivered  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_undelivered ON outbox(id) WHERE delivered = 0;

CREATE TABLE operators (
  jid       TEXT    PRIMARY KEY,
  available INTEGER NOT NULL
) WITHOUT ROWID;
)sql"},
    // The broker's poll for visitor messages scanned every live chat: with thousands of idle
    // chats open, each poll cost milliseconds. Now it reads only the chats that have some.
    Migration{"index the chats with visitor messages not yet relayed", R"sql(
ALTER TABLE chats ADD COLUMN visitor_seq INTEGER NOT NULL DEFAULT 0;  -- the latest visitor message
UPDATE chats SET visitor_seq = coalesce(
  (SELECT max(seq) FROM messages WHERE chat_id = chats.id AND author = 'visitor'), 0);
CREATE INDEX chats_unrelayed ON chats(id)
  WHERE visitor_seq > relayed_seq AND state IN ('waiting', 'notified', 'open');
)sql"},
    // An IN list in an index's condition costs a temporary b-tree on every update of a chat
    // (a third of the gateway's database thread under load): the same condition with ORs.
    Migration{"live-state indexes without IN lists", R"sql(
DROP INDEX chats_live;
CREATE INDEX chats_live ON chats(id)
  WHERE (state = 'waiting' OR state = 'notified' OR state = 'open');
DROP INDEX chats_unrelayed;
CREATE INDEX chats_unrelayed ON chats(id)
  WHERE visitor_seq > relayed_seq AND (state = 'waiting' OR state = 'notified' OR state = 'open');
)sql"},
    // The broker looks for overdue chats every second: by time, not by walking every live chat.
    Migration{"index live chats by when their visitor was seen, requests by creation", R"sql(
CREATE INDEX chats_live_seen ON chats(visitor_seen_at)
  WHERE (state = 'waiting' OR state = 'notified' OR state = 'open');
CREATE INDEX chats_requests_created ON chats(created_at)
  WHERE (state = 'waiting' OR state = 'notified');
)sql"},
    // A request's held-back visitor messages wait in the store until an operator accepts: once
    // the visitor was told, the broker no longer reads them one by one (a fifth of the server's
    // work under ingest went to reading and marking them).
    Migration{"leave held-back messages unread until an operator accepts", R"sql(
ALTER TABLE chats ADD COLUMN told_held INTEGER NOT NULL DEFAULT 0;  -- 1: the visitor was told
DROP INDEX chats_unrelayed;
CREATE INDEX chats_unrelayed ON chats(id)
  WHERE visitor_seq > relayed_seq
    AND (state = 'open' OR ((state = 'waiting' OR state = 'notified') AND told_held = 0));
)sql"},
    // The visitor may give an email address, so that an answer can reach them after they left.
    Migration{"the visitor's email address", R"sql(
ALTER TABLE chats ADD COLUMN email TEXT NOT NULL DEFAULT '';  -- '': none given
)sql"},
    // Nothing a visitor says is dropped: a request whose visitor left after writing stays in the
    // queue (left_message); the availability API tells free operators from busy ones.
    Migration{"left messages and free operators", R"sql(
ALTER TABLE chats ADD COLUMN left_message INTEGER NOT NULL DEFAULT 0;  -- 1: the visitor left it
ALTER TABLE operators ADD COLUMN free INTEGER NOT NULL DEFAULT 0;  -- available with room for a chat
)sql"},
    // Floods are counted in the database, so that the limits hold across gateways: chats per
    // minute in total and per network (/24, /64), visitor messages per minute per network
    // (one row each, kept a minute), visitor messages per chat.
    Migration{"count chats and visitor messages per network and per chat", R"sql(
ALTER TABLE chats ADD COLUMN network TEXT NOT NULL DEFAULT '';
ALTER TABLE chats ADD COLUMN visitor_count INTEGER NOT NULL DEFAULT 0;
UPDATE chats SET visitor_count =
  (SELECT count(*) FROM messages WHERE chat_id = chats.id AND author = 'visitor');
CREATE INDEX chats_created ON chats(created_at);
CREATE INDEX chats_network_created ON chats(network, created_at);
CREATE TABLE visitor_sends (
  network TEXT    NOT NULL,
  at      INTEGER NOT NULL
);
CREATE INDEX visitor_sends_network_at ON visitor_sends(network, at);
CREATE INDEX visitor_sends_at ON visitor_sends(at);
)sql"},
    // The widget retries a send with the same client_id until it is answered: the id is kept
    // with the message, unique per chat, so that a retry finds the first one's seq. And the
    // language the visitor's page asked for (BCP 47; '' when none), for the bot's texts.
    Migration{"client ids of visitor messages, chat language", R"sql(
ALTER TABLE messages ADD COLUMN client_id TEXT;  -- NULL: sent without one
CREATE UNIQUE INDEX messages_client_id ON messages(chat_id, client_id) WHERE client_id IS NOT NULL;
ALTER TABLE chats ADD COLUMN language TEXT NOT NULL DEFAULT '';
)sql"},
    // What real operators' clients send and expect (issue 15): corrections, receipts and
    // markers, typing both ways, the operator's display name.
    Migration{"operator stanzas, corrections, receipts, markers, typing and names", R"sql(
ALTER TABLE messages ADD COLUMN replaces INTEGER;  -- an operator's correction: the seq it corrects
ALTER TABLE messages ADD COLUMN name TEXT;         -- operator messages: the display name shown
-- The XMPP side of operator messages: what receipts, markers and corrections refer to.
CREATE TABLE operator_stanzas (
  chat_id   INTEGER NOT NULL,
  seq       INTEGER NOT NULL,
  jid       TEXT    NOT NULL,  -- full JID of the sender: receipts and markers go back there
  stanza_id TEXT    NOT NULL,
  receipt   INTEGER NOT NULL,  -- 1: a XEP-0184 receipt was requested
  markable  INTEGER NOT NULL,  -- 1: XEP-0333 markable
  PRIMARY KEY (chat_id, seq)
) WITHOUT ROWID;
CREATE INDEX operator_stanzas_by_id ON operator_stanzas(chat_id, stanza_id);
ALTER TABLE chats ADD COLUMN handed_seq INTEGER NOT NULL DEFAULT 0;  -- the page got up to here
ALTER TABLE chats ADD COLUMN read_seq INTEGER NOT NULL DEFAULT 0;    -- the visitor saw up to here
ALTER TABLE chats ADD COLUMN operator_name TEXT NOT NULL DEFAULT '';
ALTER TABLE chats ADD COLUMN operator_typing INTEGER NOT NULL DEFAULT 0;
ALTER TABLE chats ADD COLUMN visitor_typing INTEGER NOT NULL DEFAULT 0;
ALTER TABLE chats ADD COLUMN visitor_typing_sent INTEGER NOT NULL DEFAULT 0;  -- as the broker told
CREATE INDEX chats_visitor_typing ON chats(id) WHERE visitor_typing != visitor_typing_sent;
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'message';  -- or 'received', 'displayed'
ALTER TABLE outbox ADD COLUMN ref TEXT NOT NULL DEFAULT '';  -- the operator stanza id acknowledged
)sql"},
    // Mail (README "Mail") and retention. Kept last of this round's migrations: its test
    // (sqlite_mail_test.cpp) rolls a database back to just before it. Needs chats.email (the
    // migration that adds it comes first). A chat's mailed_seq: its messages up to there are
    // settled (mailed, seen by the page, or nothing to mail). ended_at: when it reached a final
    // state, set by a trigger so that every path to a final state records it; retention deletes by
    // it.
    Migration{"mail outbox, mailed_seq, ended_at for retention", R"sql(
CREATE TABLE mail (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,  -- in the Message-ID: never reused
  chat_id         INTEGER NOT NULL REFERENCES chats(id),
  kind            TEXT    NOT NULL,                   -- 'reply' or 'transcript'
  rcpt            TEXT    NOT NULL,
  rcpt_key        TEXT    NOT NULL,                   -- rcpt in lower case (per-address limit)
  first_seq       INTEGER NOT NULL,
  up_to_seq       INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,                   -- also the Date: of every send
  next_attempt_at INTEGER NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  sent_at         INTEGER,                            -- the SMTP server accepted it
  failed_at       INTEGER,                            -- given up
  last_error      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX mail_unsent ON mail(next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX mail_rcpt ON mail(rcpt_key, created_at);
CREATE INDEX mail_chat ON mail(chat_id);

CREATE TABLE mail_site (
  id    INTEGER PRIMARY KEY CHECK (id = 1),
  value TEXT    NOT NULL  -- random, in every Message-ID of this site
);
INSERT INTO mail_site (id, value) VALUES (1, lower(hex(randomblob(12))));

ALTER TABLE chats ADD COLUMN mailed_seq INTEGER NOT NULL DEFAULT 0;
UPDATE chats SET mailed_seq = last_seq;  -- nothing written before mail existed is mailed
CREATE INDEX chats_mail_due ON chats(id) WHERE email != '' AND last_seq > mailed_seq;

ALTER TABLE chats ADD COLUMN ended_at INTEGER;
UPDATE chats SET ended_at = max(created_at, visitor_seen_at,
    coalesce((SELECT max(at) FROM messages WHERE chat_id = chats.id), 0))
  WHERE state = 'closed' OR state = 'canceled' OR state = 'failed' OR state = 'abandoned';
CREATE INDEX chats_ended ON chats(ended_at) WHERE ended_at IS NOT NULL;
CREATE TRIGGER chats_ended_at AFTER UPDATE OF state ON chats
  WHEN NEW.ended_at IS NULL AND (NEW.state = 'closed' OR NEW.state = 'canceled'
    OR NEW.state = 'failed' OR NEW.state = 'abandoned')
BEGIN
  UPDATE chats SET ended_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    WHERE id = NEW.id;
END;
)sql"},
    // Idempotent (IF NOT EXISTS throughout), so that a test may run it again.
    Migration{"visitor details (!INFO) and blocks (!BLOCK)", R"sql(
CREATE TABLE IF NOT EXISTS chat_details (
  chat_id     INTEGER PRIMARY KEY,
  visitor     TEXT    NOT NULL DEFAULT '',  -- the widget's random id of the browser
  referrer    TEXT    NOT NULL DEFAULT '',
  user_agent  TEXT    NOT NULL DEFAULT '',
  address     TEXT    NOT NULL DEFAULT '',  -- the client's IP address
  utc_offset  INTEGER,                      -- minutes east of UTC of the visitor's clock
  accepted_at INTEGER                       -- when an operator first accepted the chat
);
CREATE INDEX IF NOT EXISTS chat_details_visitor ON chat_details(visitor, chat_id)
  WHERE visitor != '';
-- Retention deletes chats; their details go with them.
CREATE TRIGGER IF NOT EXISTS chat_details_deleted AFTER DELETE ON chats
BEGIN
  DELETE FROM chat_details WHERE chat_id = OLD.id;
END;
CREATE TRIGGER IF NOT EXISTS chat_details_accepted AFTER UPDATE OF state ON chats
  WHEN NEW.state = 'open' AND OLD.state != 'open'
BEGIN
  INSERT INTO chat_details (chat_id, accepted_at)
    VALUES (NEW.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
    ON CONFLICT (chat_id) DO UPDATE SET accepted_at = excluded.accepted_at
    WHERE accepted_at IS NULL;
END;

CREATE TABLE IF NOT EXISTS blocks (
  id      INTEGER PRIMARY KEY,
  chat_id INTEGER NOT NULL,            -- the chat it was made from (!UNBLOCK n)
  visitor TEXT    NOT NULL DEFAULT '',
  address TEXT    NOT NULL DEFAULT '',
  until   INTEGER NOT NULL             -- Unix ms
);
CREATE INDEX IF NOT EXISTS blocks_chat ON blocks(chat_id);
CREATE INDEX IF NOT EXISTS blocks_visitor ON blocks(visitor, until) WHERE visitor != '';
CREATE INDEX IF NOT EXISTS blocks_address ON blocks(address, until) WHERE address != '';
)sql"},
    // Presence held by gateways (store.hpp, k_held): an open event stream costs no write per
    // heartbeat. Idempotent, as the one before.
    Migration{"gateways and the visitors' streams they hold", R"sql(
CREATE TABLE IF NOT EXISTS gateways (
  id      INTEGER PRIMARY KEY,
  seen_at INTEGER NOT NULL  -- refreshed every k_gateway_refresh_ms while it runs
);
CREATE TABLE IF NOT EXISTS visitor_holds (
  chat_id    INTEGER NOT NULL,
  gateway_id INTEGER NOT NULL,
  PRIMARY KEY (chat_id, gateway_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS visitor_holds_gateway ON visitor_holds(gateway_id);
)sql"},
    // Which chats changed, for processes sharing the file (Store::log_chat_changes): written
    // by triggers that the first such process creates, so that one process alone pays nothing.
    Migration{"the log of changed chats", R"sql(
CREATE TABLE IF NOT EXISTS chat_changes (
  id      INTEGER PRIMARY KEY,  -- increasing: each writer commits after the one before
  chat_id INTEGER NOT NULL
);
)sql"},
    // Outbox ids without AUTOINCREMENT, whose bookkeeping (sqlite_sequence read and written) came
    // with every relayed line's insert and dirtied a page of most commits. Ids still never
    // repeat: a new row takes the highest id plus one, and retention keeps the newest row
    // (sqlite_mail.cpp). The highest id ever given is kept here, as a delivered row if the rows
    // above the others were deleted. Runs again harmlessly on a table already rebuilt.
    Migration{"outbox ids without AUTOINCREMENT", R"sql(
CREATE TABLE outbox_new (
  id         INTEGER PRIMARY KEY,  -- also the XMPP message id: never reused (the newest row stays)
  jid        TEXT    NOT NULL,
  text       TEXT    NOT NULL,
  chat_id    INTEGER NOT NULL DEFAULT 0,     -- 0: about no chat
  created_at INTEGER NOT NULL,
  delivered  INTEGER NOT NULL DEFAULT 0,
  kind       TEXT    NOT NULL DEFAULT 'message',  -- or 'received', 'displayed'
  ref        TEXT    NOT NULL DEFAULT ''          -- the operator stanza id acknowledged
);
INSERT INTO outbox_new (id, jid, text, chat_id, created_at, delivered, kind, ref)
  SELECT id, jid, text, chat_id, created_at, delivered, kind, ref FROM outbox;
INSERT INTO outbox_new (id, jid, text, created_at, delivered)
  SELECT seq, '', '', 0, 1 FROM sqlite_sequence
  WHERE name = 'outbox' AND seq > (SELECT coalesce(max(id), 0) FROM outbox);
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_undelivered ON outbox(id) WHERE delivered = 0;
)sql"},
    // Messages stored in the order they are written, each chat's found through an index: a
    // table ordered by chat put each line of a commit on a page of its own (a commit of ten
    // lines in ten chats wrote ten pages of it to the log, now one or two, and the index's
    // small entries a few more). Rebuilt in the order the lines were written.
    Migration{"messages in the order they are written", R"sql(
CREATE TABLE messages_new (
  chat_id   INTEGER NOT NULL REFERENCES chats(id),
  seq       INTEGER NOT NULL,
  author    TEXT    NOT NULL,
  text      TEXT    NOT NULL,
  at        INTEGER NOT NULL,
  client_id TEXT,     -- NULL: sent without one
  replaces  INTEGER,  -- an operator's correction: the seq it corrects
  name      TEXT      -- operator messages: the display name shown
);
INSERT INTO messages_new (chat_id, seq, author, text, at, client_id, replaces, name)
  SELECT chat_id, seq, author, text, at, client_id, replaces, name FROM messages
  ORDER BY at, chat_id, seq;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE UNIQUE INDEX messages_seq ON messages(chat_id, seq);
CREATE UNIQUE INDEX messages_client_id ON messages(chat_id, client_id) WHERE client_id IS NOT NULL;
)sql"},
    // A visitor's line in an open chat goes to the operator in the line's own transaction, with
    // the prefix that tells an operator's chats apart when they hold several: counted here.
    Migration{"index open chats by operator", R"sql(
CREATE INDEX IF NOT EXISTS chats_open_by_operator ON chats(operator_jid) WHERE state = 'open';
)sql"},
    // The per-network message limit kept a row per message and its count read every row of the
    // last minute: the more a network sent, the more each of its lines cost (a minute at 100 a
    // second, 0.2 ms a line). Now a row per network and 10-second step: a count sums at most 7.
    // Runs again harmlessly on a database already moved to the counts.
    Migration{"visitor sends counted per network in 10-second steps", R"sql(
CREATE TABLE IF NOT EXISTS visitor_send_counts (
  network   TEXT    NOT NULL,
  at_step   INTEGER NOT NULL,  -- Unix time in steps of 10 s (k_send_step_ms)
  sends     INTEGER NOT NULL,
  PRIMARY KEY (network, at_step)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS visitor_send_counts_step ON visitor_send_counts(at_step);
CREATE TABLE IF NOT EXISTS visitor_sends (network TEXT NOT NULL, at INTEGER NOT NULL);
INSERT INTO visitor_send_counts (network, at_step, sends)
  SELECT network, at / 10000, count(*) FROM visitor_sends WHERE true GROUP BY network, at / 10000
  ON CONFLICT (network, at_step) DO UPDATE SET sends = sends + excluded.sends;
DROP TABLE visitor_sends;
)sql"},
};

int user_version(Database& db) {
  Statement statement(db, "PRAGMA user_version");
  Query query(statement);
  if (!query.step()) throw StoreError("PRAGMA user_version returned nothing (" + db.path() + ")");
  return static_cast<int>(query.int_at(0));
}

}  // namespace

int schema_version() {
  return static_cast<int>(k_migrations.size());
}

int migration_number(std::string_view name) {
  for (std::size_t index = 0; index < k_migrations.size(); ++index) {
    if (k_migrations[index].name == name) return static_cast<int>(index + 1);
  }
  return 0;
}

void migrate(Database& db) {
  Transaction transaction(db);  // also read the version under the write lock
  const int found = user_version(db);
  if (found > schema_version()) {
    throw StoreError("database schema version " + std::to_string(found) +
                     " is newer than this seshat understands (" + std::to_string(schema_version()) +
                     ")");
  }
  if (found == schema_version()) return;  // nothing written: the rollback is harmless
  for (auto index = static_cast<std::size_t>(found); index < k_migrations.size(); ++index) {
    const auto& migration = k_migrations[index];
    try {
      db.exec(std::string(migration.sql));
    } catch (const StoreError& error) {
      throw StoreError("migration " + std::to_string(index + 1) + " (" +
                       std::string(migration.name) + ") failed: " + error.what());
    }
  }
  // PRAGMA takes no bound parameters; the number is ours.
  db.exec("PRAGMA user_version = " + std::to_string(schema_version()));
  transaction.commit();
}

}  // namespace seshat::store::sqlite
