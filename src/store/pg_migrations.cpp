#include "store/pg_migrations.hpp"

#include <array>
#include <string>
#include <string_view>

namespace seshat::store::pg {
namespace {

struct Migration {
  std::string_view name;
  std::string_view sql;
};

// An arbitrary number: the advisory lock that serialises migrations across processes.
constexpr std::int64_t k_migration_lock = 0x5e5a7001;

// Append only: never edit or reorder a migration that has shipped. The first one is the SQLite
// schema as of its 11th migration, in one piece. Times are Unix milliseconds (bigint); states
// and authors are stored by name, as in SQLite (sqlite_codec.cpp); flags are 0/1 integers so
// that both backends read them alike.
constexpr std::array k_migrations{
    Migration{"the schema of SQLite's migrations 1 to 11", R"sql(
CREATE TABLE chats (
  id                  bigserial PRIMARY KEY,  -- a sequence: ids never repeat, even after deletes
  state               text   NOT NULL,
  visitor_name        text   NOT NULL,
  opening_message     text   NOT NULL,
  page                text   NOT NULL,
  operator_jid        text   NOT NULL DEFAULT '',
  token_hash          text   NOT NULL,
  last_seq            bigint NOT NULL DEFAULT 0,
  relayed_seq         bigint NOT NULL DEFAULT 0,
  broker_seen         text,                   -- NULL: the broker never saw it
  created_at          bigint NOT NULL,
  visitor_seen_at     bigint NOT NULL,
  visitor_seq         bigint NOT NULL DEFAULT 0,
  told_held           int    NOT NULL DEFAULT 0,
  email               text   NOT NULL DEFAULT '',
  left_message        int    NOT NULL DEFAULT 0,
  network             text   NOT NULL DEFAULT '',
  visitor_count       bigint NOT NULL DEFAULT 0,
  language            text   NOT NULL DEFAULT '',
  handed_seq          bigint NOT NULL DEFAULT 0,
  read_seq            bigint NOT NULL DEFAULT 0,
  operator_name       text   NOT NULL DEFAULT '',
  operator_typing     int    NOT NULL DEFAULT 0,
  visitor_typing      int    NOT NULL DEFAULT 0,
  visitor_typing_sent int    NOT NULL DEFAULT 0,
  mailed_seq          bigint NOT NULL DEFAULT 0,
  ended_at            bigint
);
CREATE INDEX chats_unseen ON chats(id) WHERE broker_seen IS NULL OR broker_seen <> state;
CREATE INDEX chats_live ON chats(id) WHERE state IN ('waiting', 'notified', 'open');
CREATE INDEX chats_unrelayed ON chats(id)
  WHERE visitor_seq > relayed_seq
    AND (state = 'open' OR (state IN ('waiting', 'notified') AND told_held = 0));
CREATE INDEX chats_live_seen ON chats(visitor_seen_at) WHERE state IN ('waiting', 'notified', 'open');
CREATE INDEX chats_requests_created ON chats(created_at) WHERE state IN ('waiting', 'notified');
CREATE INDEX chats_created ON chats(created_at);
CREATE INDEX chats_network_created ON chats(network, created_at);
CREATE INDEX chats_visitor_typing ON chats(id) WHERE visitor_typing <> visitor_typing_sent;
CREATE INDEX chats_mail_due ON chats(id) WHERE email <> '' AND last_seq > mailed_seq;
CREATE INDEX chats_ended ON chats(ended_at) WHERE ended_at IS NOT NULL;

-- Every path to a final state records when (retention deletes by it), with the server's clock.
CREATE FUNCTION seshat_chats_ended_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.ended_at IS NULL AND NEW.state IN ('closed', 'canceled', 'failed', 'abandoned') THEN
    NEW.ended_at := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER chats_ended_at BEFORE UPDATE OF state ON chats
  FOR EACH ROW EXECUTE FUNCTION seshat_chats_ended_at();

CREATE TABLE messages (
  chat_id   bigint NOT NULL REFERENCES chats(id),
  seq       bigint NOT NULL,
  author    text   NOT NULL,
  text      text   NOT NULL,
  at        bigint NOT NULL,
  client_id text,    -- NULL: sent without one
  replaces  bigint,  -- an operator's correction: the seq it corrects
  name      text,    -- operator messages: the display name shown
  PRIMARY KEY (chat_id, seq)
);
CREATE UNIQUE INDEX messages_client_id ON messages(chat_id, client_id) WHERE client_id IS NOT NULL;

CREATE TABLE outbox (
  id         bigserial PRIMARY KEY,  -- also the XMPP message id: never reused
  jid        text   NOT NULL,
  text       text   NOT NULL,
  chat_id    bigint NOT NULL DEFAULT 0,
  created_at bigint NOT NULL,
  delivered  int    NOT NULL DEFAULT 0,
  kind       text   NOT NULL DEFAULT 'message',
  ref        text   NOT NULL DEFAULT ''
);
CREATE INDEX outbox_undelivered ON outbox(id) WHERE delivered = 0;

CREATE TABLE operators (
  jid       text PRIMARY KEY,
  available int  NOT NULL,
  free      int  NOT NULL DEFAULT 0
);

CREATE TABLE visitor_sends (
  network text   NOT NULL,
  at      bigint NOT NULL
);
CREATE INDEX visitor_sends_network_at ON visitor_sends(network, at);
CREATE INDEX visitor_sends_at ON visitor_sends(at);

CREATE TABLE operator_stanzas (
  chat_id   bigint NOT NULL,
  seq       bigint NOT NULL,
  jid       text   NOT NULL,
  stanza_id text   NOT NULL,
  receipt   int    NOT NULL,
  markable  int    NOT NULL,
  PRIMARY KEY (chat_id, seq)
);
CREATE INDEX operator_stanzas_by_id ON operator_stanzas(chat_id, stanza_id);

CREATE TABLE mail (
  id              bigserial PRIMARY KEY,
  chat_id         bigint NOT NULL REFERENCES chats(id),
  kind            text   NOT NULL,
  rcpt            text   NOT NULL,
  rcpt_key        text   NOT NULL,
  first_seq       bigint NOT NULL,
  up_to_seq       bigint NOT NULL,
  created_at      bigint NOT NULL,
  next_attempt_at bigint NOT NULL,
  attempts        int    NOT NULL DEFAULT 0,
  sent_at         bigint,
  failed_at       bigint,
  last_error      text   NOT NULL DEFAULT ''
);
CREATE INDEX mail_unsent ON mail(next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX mail_rcpt ON mail(rcpt_key, created_at);
CREATE INDEX mail_chat ON mail(chat_id);

CREATE TABLE mail_site (
  id    int  PRIMARY KEY CHECK (id = 1),
  value text NOT NULL
);
INSERT INTO mail_site (id, value)
  VALUES (1, substr(encode(sha256((random()::text || clock_timestamp()::text)::bytea), 'hex'), 1, 24));
)sql"},
    // Brokers on one database elect a leader (README "Several machines"): a lease the leader
    // renews, and an epoch that grows with every new leader and fences the old one. Two rows:
    // a leader's writes lock the epoch's row FOR SHARE, which a takeover waits for but a
    // renewal of the lease's row does not.
    Migration{"broker leadership: a lease and an epoch", R"sql(
CREATE TABLE leadership (
  id         int         PRIMARY KEY CHECK (id = 1),
  holder     text        NOT NULL,
  epoch      bigint      NOT NULL,
  expires_at timestamptz NOT NULL
);
INSERT INTO leadership (id, holder, epoch, expires_at) VALUES (1, '', 0, '-infinity');
CREATE TABLE leader_epoch (
  id    int    PRIMARY KEY CHECK (id = 1),
  epoch bigint NOT NULL
);
INSERT INTO leader_epoch (id, epoch) VALUES (1, 0);
)sql"},
    // What the visitor's browser said (!INFO) and blocks (!BLOCK): SQLite's migration of the
    // same name.
    Migration{"visitor details (!INFO) and blocks (!BLOCK)", R"sql(
CREATE TABLE chat_details (
  chat_id     bigint PRIMARY KEY,
  visitor     text   NOT NULL DEFAULT '',  -- the widget's random id of the browser
  referrer    text   NOT NULL DEFAULT '',
  user_agent  text   NOT NULL DEFAULT '',
  address     text   NOT NULL DEFAULT '',  -- the client's IP address
  utc_offset  int,                         -- minutes east of UTC of the visitor's clock
  accepted_at bigint                       -- when an operator first accepted the chat
);
CREATE INDEX chat_details_visitor ON chat_details(visitor, chat_id) WHERE visitor <> '';

-- Retention deletes chats; their details go with them. The first accept is recorded.
CREATE FUNCTION seshat_chat_details_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM chat_details WHERE chat_id = OLD.id;
  RETURN OLD;
END $$;
CREATE TRIGGER chat_details_deleted AFTER DELETE ON chats
  FOR EACH ROW EXECUTE FUNCTION seshat_chat_details_deleted();
CREATE FUNCTION seshat_chat_details_accepted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.state = 'open' AND OLD.state <> 'open' THEN
    INSERT INTO chat_details (chat_id, accepted_at)
      VALUES (NEW.id, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)
      ON CONFLICT (chat_id) DO UPDATE SET accepted_at = excluded.accepted_at
      WHERE chat_details.accepted_at IS NULL;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER chat_details_accepted AFTER UPDATE OF state ON chats
  FOR EACH ROW EXECUTE FUNCTION seshat_chat_details_accepted();

CREATE TABLE blocks (
  id      bigserial PRIMARY KEY,
  chat_id bigint NOT NULL,            -- the chat it was made from (!UNBLOCK n)
  visitor text   NOT NULL DEFAULT '',
  address text   NOT NULL DEFAULT '',
  until   bigint NOT NULL             -- Unix ms
);
CREATE INDEX blocks_chat ON blocks(chat_id);
CREATE INDEX blocks_visitor ON blocks(visitor, until) WHERE visitor <> '';
CREATE INDEX blocks_address ON blocks(address, until) WHERE address <> '';
)sql"},
    // Presence held by gateways: SQLite's migration of the same name.
    Migration{"gateways and the visitors' streams they hold", R"sql(
CREATE TABLE gateways (
  id      bigserial PRIMARY KEY,
  seen_at bigint    NOT NULL  -- refreshed every k_gateway_refresh_ms while it runs
);
CREATE TABLE visitor_holds (
  chat_id    bigint NOT NULL,
  gateway_id bigint NOT NULL,
  PRIMARY KEY (chat_id, gateway_id)
);
CREATE INDEX visitor_holds_gateway ON visitor_holds(gateway_id);
)sql"},
    // SQLite's migration of the same name: a row per network and step, not per message.
    Migration{"visitor sends counted per network in 10-second steps", R"sql(
CREATE TABLE visitor_send_counts (
  network   text   NOT NULL,
  at_step   bigint NOT NULL,  -- Unix time in steps of 10 s (k_send_step_ms)
  sends     int    NOT NULL,
  PRIMARY KEY (network, at_step)
);
CREATE INDEX visitor_send_counts_step ON visitor_send_counts(at_step);
INSERT INTO visitor_send_counts (network, at_step, sends)
  SELECT network, at / 10000, count(*) FROM visitor_sends GROUP BY network, at / 10000;
DROP TABLE visitor_sends;
)sql"},
};

}  // namespace

int schema_version() {
  return static_cast<int>(k_migrations.size());
}

void migrate(Connection& db) {
  db.exec_script("BEGIN");
  try {
    db.exec("SELECT pg_advisory_xact_lock($1)", {param(k_migration_lock)});
    db.exec_script("CREATE TABLE IF NOT EXISTS seshat_schema (version int NOT NULL)");
    auto rows = db.exec("SELECT version FROM seshat_schema");
    int found = rows.empty() ? 0 : static_cast<int>(rows.int_at(0, 0));
    if (rows.empty()) db.exec_script("INSERT INTO seshat_schema (version) VALUES (0)");
    if (found > schema_version()) {
      throw StoreError("database schema version " + std::to_string(found) +
                       " is newer than this seshat understands (" +
                       std::to_string(schema_version()) + ")");
    }
    for (auto index = static_cast<std::size_t>(found); index < k_migrations.size(); ++index) {
      const auto& migration = k_migrations[index];
      try {
        db.exec_script(migration.sql);
      } catch (const StoreError& error) {
        throw StoreError("migration " + std::to_string(index + 1) + " (" +
                         std::string(migration.name) + ") failed: " + error.what());
      }
    }
    db.exec("UPDATE seshat_schema SET version = $1", {param(std::int64_t{schema_version()})});
    db.exec_script("COMMIT");
  } catch (...) {
    try {
      db.exec_script("ROLLBACK");
    } catch (const StoreError&) {
    }
    throw;
  }
}

}  // namespace seshat::store::pg
