#pragma once
// The broker bot: carries every chat between the store (the visitors' side) and the operators'
// XMPP clients. It wires the pure Switchboard to a Store connection and an XMPP Connection.
//
// Thread model: everything the broker does runs in the XMPP thread's turn (the Connection's):
// XMPP events arrive there, and store changes published on the ChangeFeed (by the HTTP gateway
// in this process, or by a DataVersionWatcher for other processes) are posted there. A visitor's
// line that the gateway relayed itself, and a chat newer than any the broker knows, are handled
// by the publishing thread, in the XMPP thread's place, when that one sleeps (Sender::run_here):
// the wake-up is not on their way to the operators. So the Switchboard, the broker's Store and
// libstrophe are each used by one thread at a time.
//
// Delivery: every text toward an operator goes through the store's outbox. A row is sent with a
// stable id and marked delivered only when the XMPP barrier after it confirms it; rows still
// undelivered at a reconnect or restart are sent again.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "app/broker_metrics.hpp"
#include "app/canned_replies.hpp"
#include "app/config.hpp"
#include "app/log_limiter.hpp"
#include "app/relayed_seqs.hpp"
#include "app/sender.hpp"
#include "core/switchboard.hpp"
#include "store/change_feed.hpp"
#include "store/store.hpp"
#include "xmpp/connection.hpp"

namespace seshat::app {

// A broker that leads others on one database (PostgreSQL, app/leadership.hpp): its writes are
// fenced by its leadership epoch, and it sends to XMPP, or logs in, only while `leading()`.
struct Fencing {
  std::int64_t epoch = 0;
  std::function<bool()> leading{};  // thread-safe; empty: the only broker (SQLite)
};

class Broker final : public xmpp::Listener {
 public:
  // `store`: the broker's store (config.sqlitedb; in `serve`, a user of the connection it shares
  // with the gateway, store/shared_connection.hpp), used on the XMPP thread; `make_sender` makes
  // its XMPP side (connect_xmpp, or a stand-in in tests). `feed` must outlive the broker.
  // `fencing`: given when brokers lead one another (PostgreSQL; see LeadingBroker).
  Broker(const Config& config, store::ChangeFeed& feed, std::unique_ptr<store::Store> store,
         const SenderFactory& make_sender, Fencing fencing = {});
  ~Broker() override;
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  void start();  // restores live chats, connects, and carries chats until stop()
  void stop();   // idempotent; leaves nothing half-done in the store

  [[nodiscard]] bool xmpp_connected() const { return m_metrics.xmpp_connected.load() != 0; }
  // Component mode: whether the component's stream is up (nullopt when not configured).
  [[nodiscard]] std::optional<bool> component_connected() const {
    const auto state = m_metrics.component_connected.load();
    return state < 0 ? std::nullopt : std::optional<bool>(state != 0);
  }
  // Prometheus text lines of the broker's own metrics. Thread-safe.
  [[nodiscard]] std::string metrics() const;

 private:
  // xmpp::Listener, on the XMPP thread
  void on_connected() override;
  void on_disconnected(std::string_view reason) override;
  void on_message(const xmpp::IncomingMessage& message) override;
  void on_name(std::string_view from, std::string_view name, core::NameSource source) override;
  void on_presence(std::string_view from, core::Show show, int priority) override;
  void on_delivered(std::vector<std::int64_t> delivered,
                    std::vector<std::int64_t> bounced) override;
  // Component mode (README "Component mode"): the second stream, and chat addresses' presence.
  void on_component_connected() override;
  void on_component_disconnected(std::string_view reason) override;
  [[nodiscard]] std::optional<std::string> visitor_name(core::ChatId chat) override;

  // When the message an event carries arrived: an operator's stanza (`received`) or a
  // visitor's stored row (`stored_at`, the store's clock), for the relay latencies.
  struct Timing {
    std::optional<std::chrono::steady_clock::time_point> received;
    std::optional<store::Millis> stored_at;
  };
  // One event, start to end: decide_and_persist, then log, observe and follow_up; announced at
  // once unless a batch is open. False if it could not be persisted.
  bool dispatch(const core::Event& event, std::optional<store::SeenState> seen = std::nullopt,
                Timing timing = {});
  // Decides (the Switchboard), persists (Store::apply) and commits one event; decides again on
  // fresh state while the store refuses (a chat changed elsewhere), k_dispatch_attempts times.
  [[nodiscard]] std::optional<core::Actions> decide_and_persist(
      const core::Event& event, std::optional<store::SeenState> seen);
  // After an accept's RelayBacklog, the chat's relayed lines are known through its last seq.
  void learn_backlogs(const core::Actions& actions);
  // The metrics of one committed event: counters and relay latencies.
  void observe(const core::Event& event, const core::Actions& actions, Timing timing);
  // What a committed event leaves to do: chats to announce, the outbox to send, typing now.
  void follow_up(const core::Actions& actions);
  // Any thread: coalesced request to run pump() and read what is pending; `here`: run it on
  // this thread, in the XMPP thread's place, if that one sleeps (Sender::run_here).
  void schedule_pump(bool here = false);
  // Any thread: a line committed in this process, for the next pump (see RelayedSeqs).
  void hand_line(core::ChatId chat, const store::Message& line);
  void pump_soon(bool here);  // any thread: pump() unless it is scheduled already (`here` as above)
  void pump();                // XMPP turn: turns handed lines and pending store rows into events
  // XMPP thread: a visitor's line its own transaction put in the outbox (relay_open_lines);
  // its rows are added to `rows`, for send_handed().
  void took_relayed(core::ChatId chat, store::Message line, std::vector<store::OutboxItem>& rows);
  void check_timeouts();   // XMPP thread: vanished visitors, unaccepted chats
  void settle_presence();  // XMPP thread: PresenceSettled when a grace period is over
  // Outbox rows read for send_outbox(): `items`, the next `limit` after `after`.
  struct OutboxRead {
    std::int64_t after = 0;
    int limit = 0;
    std::vector<store::OutboxItem> items;
  };
  [[nodiscard]] bool may_send() const;    // connected, and leading (see Fencing)
  [[nodiscard]] int outbox_room() const;  // how many rows the next outbox read may take
  // XMPP thread: sends outbox rows not yet in flight; `read_in_round`: what end_round() read
  // for it before the commit, used if the outbox window is still where it was.
  void send_outbox(std::optional<OutboxRead> read_in_round = std::nullopt);
  // XMPP thread: sends rows handed over with their lines, in id order, as long as each is the
  // next row of the outbox; the rest is left to the next read.
  void send_handed(std::vector<store::OutboxItem> rows);
  // Adds `item` to `batch` unless it is in flight or waits for its stream; it counts as sent.
  void take_row(store::OutboxItem& item, std::vector<xmpp::Outgoing>& batch);
  // XMPP thread: publishes changed chats, sends the outbox if due (`outbox`: see send_outbox).
  void announce(std::optional<OutboxRead> outbox = std::nullopt);
  // Rounds (see m_round): the XMPP events handled in one turn of the XMPP thread's loop (the
  // stanzas read together) share one store batch, committed by end_round(), posted to run
  // after them; the barriers' confirmations of the round are written in it too.
  void begin_round();  // XMPP callbacks: opens the round's batch unless one is open
  void schedule_round_end();
  void end_round();       // commits the round (or replays it), then announces
  void replay_round();    // the round's commit failed: each event's writes on their own
  void mark_confirmed();  // writes m_confirmed (inside the round's batch when one is open)
  void tell_not_stored(const core::OperatorMessage& message);  // the store failed it
  void reload(core::ChatId chat);
  void count_chats();     // the live-chat gauges, from the switchboard
  void reload_replies();  // XMPP thread: the `replies` file again if it changed
  // A store record as the switchboard keeps it (whether the visitor is away, from when the
  // page was last seen).
  [[nodiscard]] core::Chat board_chat(store::ChatRecord record) const;
  // Whether this broker may send to XMPP now (always, unless it leads others: app/leadership).
  [[nodiscard]] bool leading() const { return !m_fencing.leading || m_fencing.leading(); }

  Config m_config;
  Fencing m_fencing;
  store::ChangeFeed& m_feed;
  std::unique_ptr<store::Store> m_store;
  core::Switchboard m_board;
  std::unique_ptr<Sender> m_sender;
  store::ChangeFeed::Subscription m_subscription;

  // Outbox ids sent and not yet confirmed, and the stream each went on (component mode has
  // two; each one lost forgets only its own).
  enum class Stream { account, component };
  std::map<std::int64_t, Stream> m_in_flight;
  // Outbox rows up to this id were sent (or are waiting for their stream to come up); back to
  // 0 when a stream (re)connects, so that what it lost is read and sent again.
  std::int64_t m_sent_up_to = 0;
  // The last read of the outbox stopped at a full window, or failed: rows after m_sent_up_to
  // may wait for room. Otherwise every row is read already, and a confirmation that makes room
  // need not read again: new rows come with a pump or a round of their own (m_outbox_due).
  bool m_outbox_behind = false;
  // Drops the in-flight ids of `stream` (lost with it) and has the outbox read from the start.
  void forget_in_flight(Stream stream);
  // The chats `event` and its `actions` may end, each with the operators who heard of it
  // (component mode: its address goes offline for them once the board no longer has it).
  [[nodiscard]] std::vector<std::pair<core::ChatId, std::vector<std::string>>> ended_chats(
      const core::Event& event, const core::Actions& actions) const;
  // The round's store batch (see begin_round); until it is committed, nothing is announced.
  std::unique_ptr<store::Batch> m_batch;
  // The round's batch is open (m_batch) and these events were applied in it: what is written
  // again, one event at a time, if its commit fails (the switchboard already took them in).
  struct RoundEvent {
    core::Event event;
    core::Actions actions;  // as decided, before resolve_lookups (which reads or writes again)
    std::optional<store::SeenState> seen;
  };
  bool m_round_open = false;
  bool m_round_end_posted = false;
  std::vector<RoundEvent> m_round;
  std::vector<std::string> m_round_log;   // the round's log lines, written at its end
  std::vector<std::int64_t> m_confirmed;  // outbox ids a barrier confirmed, not yet marked
  std::vector<core::ChatId> m_unannounced;
  bool m_outbox_due = false;
  // When presence will have settled (XMPP thread; see PresenceSettled): reconnect_grace after
  // the last connect for operators not back yet, and operator_grace after each operator's last
  // unavailable presence.
  std::optional<std::chrono::steady_clock::time_point> m_reconnect_settles_at;
  std::map<std::string, std::chrono::steady_clock::time_point> m_operator_settles_at;
  std::set<std::string> m_back;  // operators whose presence came since the last connect
  std::atomic<bool> m_pump_scheduled{false};
  // What the next pump takes: the visitors' lines handed over since the last one, and whether
  // it must read what is pending (another change was published, or a wake asked for it).
  std::mutex m_handed_mutex;
  std::vector<std::pair<core::ChatId, store::Message>> m_handed;
  bool m_read_due = true;
  // The newest chat the broker took in: a change to a later one is a new chat
  // (the feed's listener, start()).
  std::atomic<core::ChatId> m_newest_chat{0};
  RelayedSeqs m_relayed;                 // XMPP thread: which handed lines go out without that read
  std::optional<RepliesFile> m_replies;  // with `replies`
  BrokerMetrics m_metrics;
  LogLimiter m_ignored_log;  // XMPP thread: "ignored: ..." lines, 5 a minute per sender at most
  bool m_connected_before = false;        // XMPP thread
  std::int64_t m_unstored_notice_id = 0;  // negative XMPP ids for notices outside the outbox

  // A ticker posting check_timeouts() to the XMPP thread once a second, and the next pump of
  // a flood of changed chats after a gap.
  std::mutex m_ticker_mutex;
  std::condition_variable m_ticker_wake;
  bool m_stopping = false;
  bool m_intake_due = false;  // more changed chats wait: the ticker pumps again after a gap
  std::thread m_ticker;
};

}  // namespace seshat::app
