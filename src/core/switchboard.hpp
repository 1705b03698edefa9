#pragma once
// The switchboard: the whole behaviour of the broker as pure logic. It holds the live chats and
// operator presence in memory, takes one Event at a time and returns the Actions to carry out.
// It does no I/O; the app layer persists its actions and feeds it again from the store after a
// restart (restore) or when the store refused a batch (a concurrent change elsewhere).

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/action.hpp"
#include "core/event.hpp"
#include "core/presence.hpp"
#include "core/relay.hpp"

namespace seshat::core {

// Whether mail can carry an operator's answer to a visitor who left (smtp is configured).
enum class Mail { off, on };
// Whether visitors see who answers (the operator's display name) or "Support".
enum class OperatorNames { shown, hidden };
// Who hears of a new request: every free operator (the seed), or one at a time, the least busy
// first, moving on after offer_timeout_ms or a !CANCEL.
enum class Routing { broadcast, least_busy };

struct BoardOptions {
  int max_chats = 1;      // chats one operator may hold at once (a chat whose visitor is away does
                          // not count)
  Mail mail = Mail::off;  // whether a visitor who gave an email can be told that the answer
                          // reaches them by mail
  OperatorNames names = OperatorNames::shown;
  Routing routing = Routing::broadcast;
  std::int64_t offer_timeout_ms = 30000;  // least-busy: how long one operator's offer lasts
  Addressing addressing = Addressing::account;
};

class Switchboard {
 public:
  // `operators`: the configured operators' bare JIDs (the seed's localusers). Nobody else is
  // ever obeyed. `options`: see BoardOptions.
  explicit Switchboard(std::vector<std::string> operators, BoardOptions options = {});

  // Who is notified (design.md): more than this many requests reaching one operator within
  // k_rush_window become one summary.
  static constexpr std::size_t k_rush_requests = 3;
  static constexpr std::int64_t k_rush_window_ms = 10'000;

  // The time decisions are made at (Unix milliseconds): the ages in request lists, the rush
  // window. The app sets it before each handle(); it stays 0 (no ages shown) otherwise.
  void set_time(std::int64_t now_ms) { m_now = now_ms; }
  [[nodiscard]] std::int64_t now() const { return m_now; }
  [[nodiscard]] Mail mail() const { return m_mail; }

  // Decides what to do about `event` on the current state, without changing it.
  [[nodiscard]] Actions handle(const Event& event) const;
  // Makes `event` and the `actions` handle() returned for it part of the state (presence,
  // chat states, who was notified). The app calls this once the store committed the actions.
  void commit(const Event& event, const Actions& actions);
  // Puts a live chat back as the store has it (on start-up, or after the store rejected a
  // batch because the chat changed elsewhere). A chat in a final state is forgotten.
  void restore(Chat chat);

  // The live chat `id`, or nullptr (unknown or final). Valid until the next commit/restore.
  [[nodiscard]] const Chat* find(ChatId id) const;
  // The operator's (any case, resource ignored) current chat, or nullptr: the one they accepted
  // last while it is open, else an open chat of theirs whose visitor is here, else any.
  [[nodiscard]] const Chat* chat_of(std::string_view operator_jid) const;
  // Open chats of the operator whose visitor is not away: what counts against max_chats.
  [[nodiscard]] int held(std::string_view operator_jid) const;
  // Open chats of the operator (a bare JID, as a chat's operator_jid), away or not: the size of
  // chats_of() without walking every open chat, for every relayed message.
  [[nodiscard]] std::size_t holding(std::string_view bare_jid) const;
  // Available (presence) with fewer than max_chats chats held.
  [[nodiscard]] bool is_free(std::string_view operator_jid) const;
  [[nodiscard]] bool has_room(std::string_view operator_jid) const;  // held < max_chats
  [[nodiscard]] std::vector<std::string> free_operators() const;     // sorted bare JIDs
  [[nodiscard]] const std::vector<std::string>& operators() const { return m_operators; }
  [[nodiscard]] int max_chats() const { return m_max_chats; }
  [[nodiscard]] const BoardOptions& options() const { return m_options; }

  // --- several chats at once (max_chats > 1), transfers, canned replies ---
  // Open chats of the operator, whatever their visitor does, oldest first.
  [[nodiscard]] std::vector<const Chat*> chats_of(std::string_view operator_jid) const;
  // The open chat `id` when `operator_jid` handles it, else nullptr.
  [[nodiscard]] const Chat* held_chat(std::string_view operator_jid, ChatId id) const;
  // What goes before a visitor line to the operator of `chat`: "[#42 customer] " when they
  // hold more than one chat (`holding` open chats) in one-account mode, else "".
  [[nodiscard]] std::string line_prefix(const Chat& chat, std::size_t holding) const;
  // The operator offered open chat `id` by its operator (!TRANSFER n jid), or "".
  [[nodiscard]] std::string transfer_target(ChatId id) const;
  [[nodiscard]] const Replies& replies() const { return m_replies; }
  // The last line said in live chat `id` and how long ago (texts::last_line), or
  // texts::no_lines_yet() when none was seen since the broker started.
  [[nodiscard]] std::string last_line(ChatId id) const;
  // Who hears of `request` now, leaving out `except`: every free operator (broadcast); with
  // least-busy the one free operator holding the fewest chats and offers, those not yet offered
  // `request` first, then the one offered anything longest ago (so ties take turns).
  [[nodiscard]] std::vector<std::string> offer_targets(std::string_view except = {},
                                                       const Chat* request = nullptr) const;
  // least-busy: who holds the offer of request `id` now ("" when nobody), and the requests
  // whose offer ran out (offer_timeout): handle OffersDue then.
  [[nodiscard]] std::string offer_holder(ChatId id) const;
  [[nodiscard]] bool offers_due() const;
  [[nodiscard]] std::vector<ChatId> due_offers() const;
  // Requests offered to `jid` within the rush window before now.
  [[nodiscard]] std::size_t recent_offers(std::string_view jid) const;
  // Some request summary held back by the rush rule is due (handle SummaryDue then).
  [[nodiscard]] bool summary_due() const;
  // Operators with held-back requests whose summary is due, and those requests.
  [[nodiscard]] std::map<std::string, std::vector<ChatId>> due_summaries() const;
  // Live chats whose visitor is away (Chat::visitor_away), oldest first.
  [[nodiscard]] std::vector<const Chat*> away_chats() const;
  // The visitor of open chat `id` was told that the operator's connection dropped.
  [[nodiscard]] bool told_dropped(ChatId id) const { return m_dropped.contains(id); }
  [[nodiscard]] std::vector<const Chat*> requests() const;  // waiting or notified, oldest first
  // How many live chats are in `state` (the gauges), without walking them.
  [[nodiscard]] std::int64_t live(ChatState state) const {
    return m_in_state[static_cast<std::size_t>(state)];
  }
  [[nodiscard]] std::vector<const Chat*> open_chats() const;   // oldest first
  [[nodiscard]] bool is_operator(std::string_view jid) const;  // any case, resource ignored
  [[nodiscard]] const Presence& presence() const { return m_presence; }
  // What visitors see as the operator's name: their nickname (XEP-0172), else their vCard's
  // name, else their JID's local part; "Support" when names are hidden.
  [[nodiscard]] std::string display_name(std::string_view operator_jid) const;
  // The same once `event` is committed.
  [[nodiscard]] std::string display_name_after(const OperatorNamed& event) const;

 private:
  std::vector<std::string> m_operators;  // sorted bare JIDs
  BoardOptions m_options;
  Mail m_mail = Mail::off;
  int m_max_chats = 1;
  std::int64_t m_now = 0;
  Presence m_presence;
  std::map<ChatId, Chat> m_chats;  // live chats only
  std::set<ChatId> m_open;         // the open ones among them: operators' lookups stay small
  std::set<ChatId> m_away;         // live chats whose visitor is away
  std::set<ChatId> m_dropped;      // open chats whose visitor was told the connection dropped
  std::map<std::string, ChatId, std::less<>> m_current;  // the chat each operator accepted last
  std::map<std::string, int, std::less<>> m_held;        // see held(); kept by count()
  // Times of the offers each operator got lately (one per request), oldest first.
  std::map<std::string, std::deque<std::int64_t>, std::less<>> m_offer_times;
  struct Deferred {
    std::vector<ChatId> chats;
    std::int64_t due = 0;
  };
  std::map<std::string, Deferred, std::less<>> m_deferred;  // held back for a summary
  OperatorNames m_show_names;
  struct KnownName {
    NameSource source = NameSource::vcard;
    std::string name;
  };
  std::map<std::string, KnownName, std::less<>> m_names;  // by bare JID
  std::map<ChatId, std::string> m_transfers;              // open chat -> operator it is offered to
  std::map<std::string, int, std::less<>> m_holding;      // open chats per operator, away or not
  std::array<std::int64_t, 7> m_in_state{};               // live chats per ChatState; count()
  struct LastLine {
    std::string who;
    std::string text;
    std::int64_t at = 0;
  };
  std::map<ChatId, LastLine> m_last;  // live chats' last line
  struct Offer {
    std::string jid;
    std::int64_t until = 0;
  };
  std::map<ChatId, Offer> m_offers;                                 // least-busy: who has it now
  std::map<std::string, std::int64_t, std::less<>> m_offered_last;  // least-busy: turns
  Replies m_replies;

  [[nodiscard]] std::optional<KnownName> learn(const OperatorNamed& event) const;
  // After a decision: an operator whose current chat leaves them (finished, transferred, the
  // visitor closed it) while they hold others is told which one is current now.
  void tell_current(const Event& event, Actions& actions) const;
  void forget(ChatId id);
  void index_open(const Chat& chat);  // after any change of the chat's state
  void apply(const Action& action);   // one committed action's effect on the state
  // Adds (+1) or removes (-1) the chat's share of its operator's held count; call with -1
  // before and +1 after changing anything of a live chat.
  void count(const Chat& chat, int sign);
};

}  // namespace seshat::core
