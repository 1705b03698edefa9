#include "app/broker.hpp"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>

#include "app/operator_lookups.hpp"
#include "core/row_events.hpp"
#include "core/texts.hpp"

namespace seshat::app {
namespace {

constexpr int k_outbox_window = 256;  // outbox rows in flight at most (flow control)
constexpr int k_dispatch_attempts = 3;
// Lines kept for the next pump at most: beyond, a stalled broker reads them from the store.
constexpr std::size_t k_handed_lines = 1024;
// Between two rounds that take in a flood of changed chats (store::k_pending_chats each).
constexpr std::chrono::milliseconds k_intake_gap{5};

core::BoardOptions board_options(const Config& config) {
  core::BoardOptions options;
  options.max_chats = config.max_chats;
  options.mail = config.mail.enabled() ? core::Mail::on : core::Mail::off;
  options.names =
      config.show_operator_name ? core::OperatorNames::shown : core::OperatorNames::hidden;
  options.routing = config.desk.routing == Routing::least_busy ? core::Routing::least_busy
                                                               : core::Routing::broadcast;
  options.offer_timeout_ms = std::chrono::milliseconds(config.desk.offer_timeout).count();
  options.addressing = config.component.addressing();
  return options;
}

store::Millis now_millis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// One log line per chat event, with its context; none for the other actions. What outsiders
// cause (ignored stanzas from strangers) is rate limited per sender.
std::optional<std::string> log_line(const core::Action& action, LogLimiter& ignored_log) {
  if (const auto* change = std::get_if<core::SetState>(&action)) {
    return fmt::format("chat={} {} -> {}{}{}", change->chat, core::to_string(change->from),
                       core::to_string(change->to),
                       change->operator_jid.empty() ? "" : " op=", change->operator_jid);
  }
  if (const auto* ignored = std::get_if<core::Ignore>(&action))
    return ignored_log.admit("ignored: " + ignored->reason);
  if (const auto* availability = std::get_if<core::SetOperatorAvailable>(&action))
    return fmt::format("op={} {}", availability->jid,
                       availability->available ? "available" : "unavailable");
  if (const auto* left = std::get_if<core::MarkLeftMessage>(&action))
    return fmt::format("chat={} {}", left->chat, left->left ? "left message" : "no left message");
  if (const auto* away = std::get_if<core::SetVisitorAway>(&action))
    return fmt::format("chat={} visitor {}", away->chat, away->away ? "away" : "back");
  if (const auto* deferred = std::get_if<core::DeferOffer>(&action))
    return fmt::format("chat={} held back for a summary to op={}", deferred->chat, deferred->jid);
  return std::nullopt;
}

}  // namespace

Broker::Broker(const Config& config, store::ChangeFeed& feed, std::unique_ptr<store::Store> store,
               const SenderFactory& make_sender, Fencing fencing)
    : m_config(config),
      m_fencing(std::move(fencing)),
      m_feed(feed),
      m_store(std::move(store)),
      m_board(config.localusers, board_options(config)),
      m_sender(make_sender(*this)) {
  if (config.component.enabled()) m_metrics.component_connected = 0;
  if (m_fencing.leading) m_store->fence(m_fencing.epoch);
  if (!config.desk.replies.empty()) m_replies.emplace(config.desk.replies);
}

void Broker::reload_replies() {
  if (!m_replies) return;
  auto replies = m_replies->reload_if_changed();
  if (!replies) return;
  if (replies->error.empty()) {
    spdlog::info("replies: {} canned replies from {}", replies->texts.size(),
                 m_config.desk.replies);
  } else {
    spdlog::error("replies: {}", replies->error);
  }
  dispatch(core::RepliesLoaded{std::move(*replies)});
}

Broker::~Broker() {
  stop();
}

void Broker::start() {
  m_store->reset_operators();
  for (auto& record : m_store->live_chats()) {
    m_newest_chat = std::max(m_newest_chat.load(), record.chat.id);
    // Chats the broker never saw are picked up by pump() as new.
    if (record.broker_seen) m_board.restore(board_chat(std::move(record)));
  }
  // A chat newer than any the broker took in is a new one: its notices are on the operators'
  // way. Other changes (typing, a page's marks) are not.
  m_subscription =
      m_feed.subscribe([this](core::ChatId chat) { schedule_pump(chat > m_newest_chat); },
                       [this](core::ChatId chat, const store::Message& line, std::string_view) {
                         hand_line(chat, line);
                       });
  reload_replies();
  m_sender->start();
  schedule_pump();
  m_ticker = std::thread([this] {
    using Clock = std::chrono::steady_clock;
    std::unique_lock lock(m_ticker_mutex);
    auto next_check = Clock::now() + std::chrono::seconds(1);
    while (!m_stopping) {
      if (m_intake_due) {
        // A round took in as many changed chats as one may: the next one comes after a gap in
        // which the gateways (of this process and others) get the write lock.
        m_ticker_wake.wait_for(lock, k_intake_gap, [this] { return m_stopping; });
        m_intake_due = false;
        if (!m_stopping) schedule_pump();
      } else {
        m_ticker_wake.wait_until(lock, next_check, [this] { return m_stopping || m_intake_due; });
      }
      if (!m_stopping && Clock::now() >= next_check) {
        next_check = Clock::now() + std::chrono::seconds(1);
        m_sender->post([this] { check_timeouts(); });
      }
    }
  });
}

void Broker::stop() {
  m_subscription.reset();
  {
    std::lock_guard lock(m_ticker_mutex);
    m_stopping = true;
  }
  m_ticker_wake.notify_all();
  if (m_ticker.joinable()) m_ticker.join();
  m_sender->stop();
  // A round whose end was posted too late to run: what it took in is committed, not dropped.
  if (m_round_open) {
    m_round_open = false;
    try {
      mark_confirmed();
      m_batch->commit();
    } catch (const store::StoreError& error) {
      spdlog::error("store: {}", error.what());
    }
    m_batch.reset();
    m_round.clear();
  }
}

void Broker::on_connected() {
  spdlog::info("xmpp connected as {}", m_config.username);
  if (m_connected_before) ++m_metrics.reconnects;
  m_connected_before = true;
  m_metrics.xmpp_connected = 1;
  end_round();  // confirmations marked first: the outbox is read again from its start
  forget_in_flight(Stream::account);  // whatever was unconfirmed is sent again, same ids
  // Operators' clients may take longer than the bot to come back after a server restart: no
  // chat moves before reconnect_grace has passed.
  m_reconnect_settles_at = std::chrono::steady_clock::now() + m_config.reconnect_grace;
  m_operator_settles_at.clear();
  m_back.clear();
  send_outbox();
}

void Broker::on_disconnected(std::string_view reason) {
  spdlog::warn("xmpp disconnected: {}", reason);
  m_metrics.xmpp_connected = 0;
  forget_in_flight(Stream::account);
  // Nobody's presence is known until the next connect, which starts reconnect_grace.
  m_reconnect_settles_at.reset();
  m_operator_settles_at.clear();
  dispatch(core::ConnectionLost{});
}

void Broker::on_message(const xmpp::IncomingMessage& message) {
  begin_round();
  // A command may be !SAY: the replies as the file is now (a stat when unchanged).
  if (message.body.find('!') != std::string::npos) reload_replies();
  const core::OperatorMessage event{message.from,   message.body,   message.payload,
                                    message.typing, message.stanza, message.window};
  if (dispatch(event, std::nullopt, Timing{std::chrono::steady_clock::now(), std::nullopt})) {
    return;
  }
  tell_not_stored(event);
}

void Broker::tell_not_stored(const core::OperatorMessage& message) {
  // A chat state lost is no loss; a text is worth telling about.
  if (message.text.empty() || message.payload == core::Payload::encrypted) return;
  // The store failed (disk full, locked past the timeout): say so rather than drop it silently.
  // Not through the outbox, which lives in the failing store.
  const auto jid = core::split_jid(message.from).bare;
  if (m_board.is_operator(jid) && leading()) {
    m_sender->send({{--m_unstored_notice_id,
                     jid,
                     core::texts::not_stored(message.text),
                     xmpp::OutgoingKind::message,
                     {},
                     message.window}});
  }
}

void Broker::on_name(std::string_view from, std::string_view name, core::NameSource source) {
  begin_round();
  dispatch(core::OperatorNamed{std::string(from), std::string(name), source});
}

void Broker::on_presence(std::string_view from, core::Show show, int priority) {
  begin_round();
  spdlog::debug("presence from {} priority {}{}", from, priority,
                show == core::Show::unavailable ? " unavailable" : "");
  if (const auto jid = core::split_jid(from).bare; m_board.is_operator(jid)) {
    if (show == core::Show::unavailable) {
      // This operator's chats wait operator_grace (see settle_presence).
      m_operator_settles_at.insert_or_assign(
          jid, std::chrono::steady_clock::now() + m_config.operator_grace);
    } else {
      m_back.insert(jid);
    }
  }
  dispatch(core::PresenceChanged{std::string(from), show, priority});
}

void Broker::on_delivered(std::vector<std::int64_t> delivered, std::vector<std::int64_t> bounced) {
  for (auto id : bounced) spdlog::warn("outbox={} bounced by the server; not retried", id);
  m_metrics.delivered += delivered.size();
  m_metrics.bounced += bounced.size();
  delivered.insert(delivered.end(), bounced.begin(), bounced.end());
  // Marked in the store once this turn's events are handled: in the round's commit, or in one
  // of their own (until then, and if it fails, they are only sent again: a duplicate with the
  // same id, not a loss).
  m_confirmed.insert(m_confirmed.end(), delivered.begin(), delivered.end());
  schedule_round_end();
  for (auto id : delivered) m_in_flight.erase(id);
  if (m_outbox_behind) send_outbox();
}

void Broker::on_component_connected() {
  spdlog::info("xmpp component {} connected", m_config.component.domain);
  m_metrics.component_connected = 1;
  end_round();  // confirmations marked first: the outbox is read again from its start
  forget_in_flight(Stream::component);  // sent again, with the same ids
  send_outbox();
}

void Broker::on_component_disconnected(std::string_view reason) {
  spdlog::warn("xmpp component {} disconnected: {}", m_config.component.domain, reason);
  m_metrics.component_connected = 0;
  forget_in_flight(Stream::component);
}

std::optional<std::string> Broker::visitor_name(core::ChatId chat) {
  const auto* live = m_board.find(chat);
  if (live == nullptr) return std::nullopt;
  return live->visitor_name;
}

std::vector<std::pair<core::ChatId, std::vector<std::string>>> Broker::ended_chats(
    const core::Event& event, const core::Actions& actions) const {
  std::vector<core::ChatId> ending;
  // The visitor's close is in the store already: no SetState says so.
  if (const auto* closed = std::get_if<core::VisitorClosed>(&event)) ending.push_back(closed->chat);
  for (const auto& action : actions) {
    const auto* change = std::get_if<core::SetState>(&action);
    if (change != nullptr && core::is_final(change->to)) ending.push_back(change->chat);
  }
  std::vector<std::pair<core::ChatId, std::vector<std::string>>> ended;
  for (const auto id : ending) {
    std::vector<std::string> operators;
    if (const auto* chat = m_board.find(id)) {
      operators = chat->notified;
      // Who was notified is not stored: a request restored after a restart may have been
      // offered to anyone.
      if (operators.empty() && chat->state == core::ChatState::notified)
        operators = m_board.operators();
      if (!chat->operator_jid.empty()) operators.push_back(chat->operator_jid);
    }
    ended.emplace_back(id, std::move(operators));
  }
  return ended;
}

void Broker::forget_in_flight(Stream stream) {
  std::erase_if(m_in_flight, [&](const auto& entry) { return entry.second == stream; });
  m_sent_up_to = 0;
}

bool Broker::dispatch(const core::Event& event, std::optional<store::SeenState> seen,
                      Timing timing) {
  // A round's batch that the database rolled back by itself: what it held is written again now,
  // and this event on its own.
  if (m_round_open && !m_batch->intact()) end_round();
  try {
    const auto actions = decide_and_persist(event, seen);
    if (!actions) return false;
    // In a round, its log lines are written after its stanzas (end_round): a new chat's
    // notices, an accepted chat's first lines do not wait for them.
    for (const auto& action : *actions) {
      auto line = log_line(action, m_ignored_log);
      if (!line) continue;
      if (m_round_open) {
        m_round_log.push_back(std::move(*line));
      } else {
        spdlog::info("{}", *line);
      }
    }
    observe(event, *actions, timing);
    follow_up(*actions);
    if (!m_batch) announce();
    return true;
  } catch (const store::StoreError& error) {
    spdlog::error("store: {}", error.what());
  }
  m_relayed.forget_all();
  return false;
}

std::optional<core::Actions> Broker::decide_and_persist(const core::Event& event,
                                                        std::optional<store::SeenState> seen) {
  for (int attempt = 0; attempt < k_dispatch_attempts; ++attempt) {
    m_board.set_time(now_millis());
    auto actions = m_board.handle(event);
    auto decided = m_round_open ? actions : core::Actions{};
    // !HISTORY, !INFO, !BLOCK: read (or write) what they are about.
    resolve_lookups(actions, *m_store, now_millis(),
                    {m_config.desk.show_ip, m_config.desk.block.count()});
    if (m_store->apply(actions, seen)) {
      if (m_round_open) m_round.push_back({event, std::move(decided), seen});
      auto ended = ended_chats(event, actions);  // asked before the board forgets them
      m_board.commit(event, actions);
      m_relayed.learn(actions);
      learn_backlogs(actions);
      for (const auto& [chat, operators] : ended) {
        if (m_board.find(chat) != nullptr) continue;
        m_relayed.forget(chat);
        m_sender->chat_ended(chat, operators);
      }
      return actions;
    }
    // A chat changed elsewhere (the visitor closed it): decide again on the store's state.
    for (const auto& action : actions) {
      if (const auto* change = std::get_if<core::SetState>(&action)) reload(change->chat);
    }
  }
  spdlog::error("gave up on an event after {} conflicting attempts", k_dispatch_attempts);
  m_relayed.forget_all();
  return std::nullopt;
}

void Broker::learn_backlogs(const core::Actions& actions) {
  // Only inside the round's transaction, which holds the chat (its last seq, the lines written
  // after the backlog included) until it commits; outside it a visitor's line stored since would
  // count as relayed.
  if (!m_round_open) return;
  for (const auto& action : actions) {
    const auto* backlog = std::get_if<core::RelayBacklog>(&action);
    if (backlog == nullptr) continue;
    const auto* chat = m_board.find(backlog->chat);
    if (chat == nullptr || chat->state != core::ChatState::open) continue;
    try {
      if (const auto record = m_store->find_chat(backlog->chat))
        m_relayed.relayed_through(backlog->chat, record->last_seq);
    } catch (const store::StoreError&) {
      // Not known, then: its next line is read.
    }
  }
}

void Broker::observe(const core::Event& event, const core::Actions& actions, Timing timing) {
  m_metrics.count(event, actions);
  // Received to stored: from then on the visitor's page has it (observed before the change is
  // announced, so that whoever sees the message also sees it counted).
  if (timing.received && relays_to_visitor(actions))
    m_metrics.to_visitor_latency.observe(std::chrono::steady_clock::now() - *timing.received);
  // Stored by the gateway to handed to XMPP (held-back messages are not relays yet).
  if (timing.stored_at && relays_to_operator(event, actions))
    m_metrics.to_operator_latency.observe(
        std::chrono::milliseconds(now_millis() - *timing.stored_at));
}

void Broker::follow_up(const core::Actions& actions) {
  for (const auto& action : actions) {
    std::visit(
        [&](const auto& a) {
          using A = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<A, core::SetState> || std::is_same_v<A, core::PostToChat> ||
                        std::is_same_v<A, core::SetOperatorName> ||
                        std::is_same_v<A, core::SetOperatorTyping>) {
            m_unannounced.push_back(a.chat);
          } else if constexpr (std::is_same_v<A, core::SendTyping>) {
            // Now or never: a chat state is not worth delivering late.
            if (!a.jid.empty() && leading() &&
                (m_sender->via_component(a.chat) || m_sender->connected()))
              m_sender->send_chat_typing(a.jid, a.typing, a.chat);
          } else if constexpr (std::is_same_v<A, core::SendToOperator> ||
                               std::is_same_v<A, core::RelayBacklog>) {
            m_outbox_due = true;
          }
        },
        action);
  }
}

std::string Broker::metrics() const {
  return render_prometheus(m_metrics);
}

void Broker::count_chats() {
  m_metrics.chats_waiting = m_board.live(core::ChatState::waiting);
  m_metrics.chats_notified = m_board.live(core::ChatState::notified);
  m_metrics.chats_open = m_board.live(core::ChatState::open);
}

void Broker::reload(core::ChatId chat) {
  m_relayed.forget(chat);
  if (auto record = m_store->find_chat(chat)) m_board.restore(board_chat(std::move(*record)));
}

core::Chat Broker::board_chat(store::ChatRecord record) const {
  const auto grace = std::chrono::milliseconds(m_config.visitor_grace).count();
  auto chat = std::move(record.chat);
  chat.visitor_away =
      chat.left_message || (grace > 0 && now_millis() - record.visitor_seen_at > grace);
  return chat;
}

void Broker::schedule_pump(bool here) {
  {
    std::lock_guard lock(m_handed_mutex);
    m_read_due = true;
  }
  pump_soon(here);
}

void Broker::pump_soon(bool here) {
  // Waking the sleeping XMPP thread adds an idle virtual CPU's wake-up to the way of what it
  // pumps: what is on somebody's way is pumped by this thread in its place, if it sleeps.
  if (!m_pump_scheduled.exchange(true) && (!here || !m_sender->run_here([this] { pump(); })))
    m_sender->post([this] { pump(); });
}

void Broker::hand_line(core::ChatId chat, const store::Message& line) {
  // An operator's line is the broker's own (announce()): a change like any other.
  if (line.from != core::Author::visitor) {
    schedule_pump();
    return;
  }
  {
    std::lock_guard lock(m_handed_mutex);
    if (m_handed.size() < k_handed_lines)
      m_handed.emplace_back(chat, line);
    else
      m_read_due = true;
  }
  pump_soon(!line.relayed.empty());  // a line the gateway relayed is on its way to an operator
}

void Broker::pump() {
  m_pump_scheduled = false;  // a change published from now on schedules another pump
  std::vector<std::pair<core::ChatId, store::Message>> handed;
  bool read = false;
  {
    std::lock_guard lock(m_handed_mutex);
    handed.swap(m_handed);
    read = std::exchange(m_read_due, false);
  }
  // Lines the gateway relayed itself are in the outbox already: noted and sent, without a
  // transaction.
  std::vector<store::OutboxItem> rows;
  std::erase_if(handed, [this, &rows](auto& entry) {
    if (entry.second.relayed.empty()) return false;
    took_relayed(entry.first, std::move(entry.second), rows);
    return true;
  });
  send_handed(std::move(rows));
  if (handed.empty() && !read) {
    if (!m_round_open) announce();
    return;
  }
  // What is pending is read in the round's transaction and handled there, with this turn's
  // XMPP events: one commit (end_round), and not a read transaction before it on the path of
  // every relay. Operators and waiters hear of it once it is durable. A commit that fails
  // writes each event again on its own; rows whose event failed are still pending, and the
  // next pump tries again.
  const bool round_was_open = m_round_open;
  begin_round();
  try {
    // The next line of an open chat whose relayed seq is known goes out as it was handed
    // over; from the first that is not (or whose write fails) on, the read finds the rest.
    for (auto it = handed.begin(); !read && it != handed.end(); ++it) {
      auto& [id, line] = *it;
      const auto* chat = m_board.find(id);
      read = chat == nullptr || chat->state != core::ChatState::open ||
             !m_relayed.is_next(id, line.seq) ||
             !dispatch(core::VisitorMessage{id, line.seq, std::move(line.text)}, std::nullopt,
                       Timing{std::nullopt, line.at});
    }
    if (!read) {
      if (!m_round_open) announce();
      return;
    }
    // A flood of changed chats is taken in a round at a time, with a gap after each that the
    // pumps the broker's own announcements schedule do not skip: they only relay.
    bool gap = false;
    {
      std::lock_guard lock(m_ticker_mutex);
      gap = m_intake_due;
    }
    auto pending = m_store->pending(gap ? 0 : store::k_pending_chats);
    if (pending.more_chats) {
      {
        std::lock_guard lock(m_ticker_mutex);
        m_intake_due = true;
      }
      m_ticker_wake.notify_all();
    }
    // The gateway queues receipts and markers in the outbox when the page has read: look.
    m_outbox_due = true;
    // Nothing to write (the pump that the broker's own announcements schedule finds nothing):
    // the write lock is not held until the round's end, the gateway's writers would wait.
    if (!round_was_open && m_round_open && pending.changed_chats.empty() &&
        pending.visitor_messages.empty() && pending.visitor_typing.empty()) {
      m_batch->commit();  // empty: a commit that writes nothing, only the lock released
      m_batch.reset();
      m_round_open = false;
    }
    for (auto& record : pending.changed_chats) {
      const auto id = record.chat.id;
      if (id > m_newest_chat) m_newest_chat = id;  // this thread alone writes it
      const store::SeenState seen{id, record.chat.state};
      const bool broker_seen = record.broker_seen.has_value();
      auto chat = board_chat(std::move(record));
      if (auto event = core::changed_chat_event(chat, broker_seen, m_board.find(id) != nullptr)) {
        dispatch(*event, seen);
      } else {
        m_relayed.forget(id);
        m_board.restore(std::move(chat));  // take the store's word for it
        if (!m_store->apply({}, seen)) spdlog::error("chat={} could not be acknowledged", id);
      }
    }
    for (auto& pending_message : pending.visitor_messages) {
      dispatch(core::VisitorMessage{pending_message.chat, pending_message.message.seq,
                                    std::move(pending_message.message.text)},
               std::nullopt, Timing{std::nullopt, pending_message.message.at});
    }
    for (const auto& typing : pending.visitor_typing) {
      dispatch(core::VisitorTyping{typing.chat, typing.typing});
    }
  } catch (const store::StoreError& error) {
    spdlog::error("store: {}", error.what());
  }
  if (!m_round_open) announce();
}

void Broker::took_relayed(core::ChatId chat, store::Message line,
                          std::vector<store::OutboxItem>& rows) {
  // Every earlier line of the chat went too (the gateway relays a line only then).
  if (const auto* open = m_board.find(chat); open && open->state == core::ChatState::open)
    m_relayed.relayed_through(chat, line.seq);
  m_board.commit(core::VisitorMessage{chat, line.seq, std::move(line.text)}, {});
  ++m_metrics.to_operators;
  m_metrics.to_operator_latency.observe(std::chrono::milliseconds(now_millis() - line.at));
  std::move(line.relayed.begin(), line.relayed.end(), std::back_inserter(rows));
}

void Broker::send_handed(std::vector<store::OutboxItem> rows) {
  if (rows.empty()) return;
  // Ids are given in commit order (one writer at a time): a row right after the last one read
  // has nothing unread before it, and one at or below it was read and sent already. A row
  // further on has rows before it that were not read yet (another writer's, or not handed
  // over): from there on the outbox is read, in order. Not while a round is open: the rows of
  // its batch are sent once committed.
  std::vector<xmpp::Outgoing> batch;
  auto row = rows.begin();
  if (!m_batch && may_send()) {
    for (; row != rows.end() && static_cast<int>(m_in_flight.size()) < k_outbox_window; ++row) {
      if (row->id > m_sent_up_to + 1) break;
      if (row->id == m_sent_up_to + 1) take_row(*row, batch);
    }
  }
  if (row != rows.end() && row->id > m_sent_up_to) m_outbox_due = true;
  if (!batch.empty()) m_sender->send(std::move(batch));
}

void Broker::announce(std::optional<OutboxRead> outbox) {
  count_chats();
  // An operator's line goes whole to the visitor's streams in this process (they send it
  // without reading it back), then as a change of its chat like the rest (their read after it
  // hands it over: receipts, typing, status).
  for (const auto& [chat, line] : m_store->take_operator_lines()) {
    m_relayed.passed(chat, line.seq);
    m_feed.publish_line(chat, line);
  }
  m_feed.publish_all(m_unannounced);
  if (m_outbox_due) {
    m_outbox_due = false;
    send_outbox(std::move(outbox));
  }
  m_store->checkpoint_if_due();  // apply() and batches leave it until the change went out
}

void Broker::check_timeouts() {
  end_round();
  const auto now = now_millis();
  m_board.set_time(now);
  if (m_board.summary_due()) dispatch(core::SummaryDue{});
  if (m_board.offers_due()) dispatch(core::OffersDue{});
  reload_replies();
  settle_presence();
  const core::Timeouts timeouts{std::chrono::milliseconds(m_config.visitor_grace).count(),
                                std::chrono::milliseconds(m_config.visitor_timeout).count(),
                                std::chrono::milliseconds(m_config.accept_timeout).count()};
  const auto gone_after = core::gone_after_ms(timeouts);
  // A limit of 0 is off: nothing is older than the epoch.
  const auto seen_before = gone_after > 0 ? now - gone_after : 0;
  const auto created_before = timeouts.accept_timeout_ms > 0 ? now - timeouts.accept_timeout_ms : 0;
  try {
    // A gateway that stopped without letting go: its visitors count as seen when it last was.
    if (m_store->reap_gateways(now - store::k_gateway_stale_ms) > 0)
      spdlog::info("presence: a gateway stopped refreshing; its visitors' pages count as gone");
    std::set<core::ChatId> gone;
    for (const auto& record : m_store->overdue_chats(seen_before, created_before)) {
      const auto* chat = m_board.find(record.chat.id);
      if (chat == nullptr) continue;  // not seen yet: pump() first
      const auto away_for = now - record.visitor_seen_at;
      if (gone_after > 0 && away_for > gone_after) gone.insert(chat->id);
      if (auto event =
              core::overdue_event(*chat, away_for, now - record.created_at,
                                  core::visitor_wrote(record.chat, record.relayed_seq), timeouts))
        dispatch(*event);
    }
    // Whoever was away and is no longer overdue has come back.
    std::vector<core::ChatId> back;
    for (const auto* chat : m_board.away_chats()) {
      if (!gone.contains(chat->id)) back.push_back(chat->id);
    }
    for (const auto id : back) dispatch(core::VisitorBack{id});
  } catch (const store::StoreError& error) {
    spdlog::error("store: {}", error.what());
  }
}

void Broker::settle_presence() {
  if (!m_sender->connected()) return;
  const auto now = std::chrono::steady_clock::now();
  const bool reconnect_over = !m_reconnect_settles_at || now >= *m_reconnect_settles_at;
  core::PresenceSettled settled;
  // An operator who went offline after they were back since the connect: operator_grace.
  // One not back yet (the server answered the bot's probe "unavailable"): reconnect_grace too.
  for (auto entry = m_operator_settles_at.begin(); entry != m_operator_settles_at.end();) {
    if (entry->second <= now && (reconnect_over || m_back.contains(entry->first))) {
      settled.operators.push_back(entry->first);
      entry = m_operator_settles_at.erase(entry);
    } else {
      ++entry;
    }
  }
  if (m_reconnect_settles_at && reconnect_over) {
    m_reconnect_settles_at.reset();
    for (const auto& jid : m_board.operators()) {
      if (!m_back.contains(jid) && !m_operator_settles_at.contains(jid) &&
          std::find(settled.operators.begin(), settled.operators.end(), jid) ==
              settled.operators.end()) {
        settled.operators.push_back(jid);
      }
    }
  }
  if (!settled.operators.empty()) dispatch(settled);
}

bool Broker::may_send() const {
  // A broker that may have lost its leadership (frozen, cut off) sends nothing: the new leader
  // sends whatever no barrier confirmed, with the same ids.
  return (m_sender->connected() || m_sender->component_connected()) && leading();
}

int Broker::outbox_room() const {
  // Rows up to m_sent_up_to are in flight, done, or wait for their stream: read only the ones
  // after them, and no more than the window has room for (reading the whole window each time
  // was a sixth of the broker's thread in a relay burst). After a stream came back the read
  // starts over and meets rows in flight on the other stream: those are read past, not sent.
  const auto ahead = std::distance(m_in_flight.upper_bound(m_sent_up_to), m_in_flight.end());
  return k_outbox_window - static_cast<int>(m_in_flight.size()) + static_cast<int>(ahead);
}

void Broker::send_outbox(std::optional<OutboxRead> read_in_round) {
  m_outbox_behind = true;  // until a read finds the end of the outbox
  if (!may_send()) return;
  // Rows of a batch not committed yet could be replaced by others (new ids) if it fails: sent
  // once it is committed (announce()).
  if (m_batch) {
    m_outbox_due = true;
    return;
  }
  try {
    std::vector<xmpp::Outgoing> batch;
    while (static_cast<int>(m_in_flight.size()) < k_outbox_window) {
      const int limit = outbox_room();
      std::vector<store::OutboxItem> items;
      if (read_in_round && read_in_round->after == m_sent_up_to && read_in_round->limit == limit) {
        items = std::move(read_in_round->items);
      } else {
        items = m_store->undelivered(m_sent_up_to, limit);
      }
      read_in_round.reset();
      for (auto& item : items) {
        if (static_cast<int>(m_in_flight.size()) >= k_outbox_window) break;
        take_row(item, batch);
      }
      if (static_cast<int>(items.size()) < limit) {
        m_outbox_behind = static_cast<int>(m_in_flight.size()) >= k_outbox_window;
        break;
      }
    }
    if (!batch.empty()) m_sender->send(std::move(batch));
  } catch (const store::StoreError& error) {
    spdlog::error("store: {}", error.what());
  }
}

void Broker::take_row(store::OutboxItem& item, std::vector<xmpp::Outgoing>& batch) {
  m_sent_up_to = item.id;
  if (m_in_flight.contains(item.id)) return;
  const auto stream = m_sender->via_component(item.chat) ? Stream::component : Stream::account;
  // Sent when its stream is up again (which reads the outbox from the start).
  if (!(stream == Stream::component ? m_sender->component_connected() : m_sender->connected()))
    return;
  m_in_flight.emplace(item.id, stream);
  const auto kind = item.kind == store::OutboxKind::received    ? xmpp::OutgoingKind::received
                    : item.kind == store::OutboxKind::displayed ? xmpp::OutgoingKind::displayed
                                                                : xmpp::OutgoingKind::message;
  std::string nick;
  if (stream == Stream::component) {
    if (const auto* chat = m_board.find(item.chat)) nick = chat->visitor_name;
  }
  batch.push_back({item.id, std::move(item.jid), std::move(item.text), kind, std::move(item.ref),
                   item.chat, std::move(nick)});
}

// --- rounds: the XMPP events of one turn of the XMPP thread's loop, one commit ---

void Broker::begin_round() {
  if (m_batch) return;  // open already: this turn of the loop has one
  try {
    m_batch = m_store->begin_batch();
  } catch (const store::StoreError& error) {
    spdlog::error("store: {}", error.what());
    return;  // each event in its own transaction, as without rounds
  }
  m_round_open = true;
  schedule_round_end();
}

void Broker::schedule_round_end() {
  // Posted tasks run after the loop's turn handled every stanza it read.
  if (m_round_end_posted) return;
  m_round_end_posted = true;
  m_sender->post([this] { end_round(); });
}

void Broker::end_round() {
  m_round_end_posted = false;
  if (!m_round_open) {
    mark_confirmed();
    return;
  }
  m_round_open = false;
  auto confirmed = m_confirmed;
  std::optional<OutboxRead> outbox;
  try {
    mark_confirmed();
    if (!m_batch->intact()) throw store::StoreError("the batch was rolled back");
    // Read before the commit, in the round's transaction, rather than in a transaction of its
    // own after it: sent only once committed. A row another process commits meanwhile
    // (PostgreSQL) comes with the pump its notice schedules.
    if (m_outbox_due && may_send()) outbox = OutboxRead{m_sent_up_to, outbox_room(), {}};
    if (outbox) outbox->items = m_store->undelivered(outbox->after, outbox->limit);
    m_batch->commit();
    m_round.clear();
  } catch (const store::StoreError& error) {
    spdlog::error("store: {}; writing the {} events of the batch one by one", error.what(),
                  m_round.size());
    outbox.reset();
    m_relayed.forget_all();                // the replay may not write everything again
    m_batch.reset();                       // rolls back whatever is left of it
    (void)m_store->take_operator_lines();  // not stored: the replay stores them again
    m_confirmed = std::move(confirmed);
    replay_round();
    mark_confirmed();
  }
  m_batch.reset();
  announce(std::move(outbox));
  if (m_round_log.empty()) return;
  // Posted: runs after the loop's pass that writes what the round sent; written here if the
  // thread is stopping, so that no line is lost.
  const auto write = [lines = std::exchange(m_round_log, {})] {
    for (const auto& line : lines) spdlog::info("{}", line);
  };
  if (!m_sender->post(write)) write();
}

void Broker::replay_round() {
  // The switchboard took these events in already: their actions are written again as decided
  // (the lookups read, or !BLOCK written, again). One the store refuses now (a chat changed
  // meanwhile) or cannot take leaves its chats as the store has them.
  for (auto& entry : std::exchange(m_round, {})) {
    try {
      auto actions = entry.actions;
      resolve_lookups(actions, *m_store, now_millis(),
                      {m_config.desk.show_ip, m_config.desk.block.count()});
      if (m_store->apply(actions, entry.seen)) continue;
      spdlog::error("a chat changed before its event could be written again; reloaded");
    } catch (const store::StoreError& error) {
      spdlog::error("store: {}", error.what());
      if (const auto* message = std::get_if<core::OperatorMessage>(&entry.event))
        tell_not_stored(*message);
    }
    try {
      for (const auto& action : entry.actions) {
        std::visit(
            [&](const auto& a) {
              if constexpr (requires { a.chat; }) {
                if (a.chat != 0) reload(a.chat);
              }
            },
            action);
      }
    } catch (const store::StoreError& error) {
      spdlog::error("store: {}", error.what());
    }
  }
}

void Broker::mark_confirmed() {
  if (m_confirmed.empty()) return;
  try {
    m_store->mark_delivered(m_confirmed);
  } catch (const store::StoreError& error) {
    spdlog::error("store: {}", error.what());  // they will be sent again: a duplicate, not a loss
  }
  m_confirmed.clear();
}

}  // namespace seshat::app
