#pragma once
// The SQL of the chats table: one row per chat with its state, operator, message counter and
// the broker's bookkeeping (relayed_seq, broker_seen). Callers own the transactions.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite_db.hpp"
#include "store/store.hpp"

namespace seshat::store::sqlite {

// Whether a message may still be appended to a chat in a final state. Visitors and operators
// may not; the broker may, in the batch that closes it ("The chat is now closed.").
enum class FinalChats { refuse, allow };

class ChatTable {
 public:
  explicit ChatTable(Database& db);

  [[nodiscard]] ChatId insert(const NewChat& chat, Millis now);
  [[nodiscard]] std::optional<ChatRecord> find(ChatId id);
  [[nodiscard]] std::optional<core::ChatState> state_of(ChatId id);
  [[nodiscard]] std::vector<ChatRecord> live();  // oldest first
  [[nodiscard]] std::vector<ChatRecord> overdue(Millis seen_before, Millis created_before);
  // state != broker_seen, oldest first, at most `limit`
  [[nodiscard]] std::vector<ChatRecord> unseen(int limit);

  // Reserves the chat's next message seq (bumps last_seq). Nothing when the chat is unknown,
  // or final and `final_chats` is refuse.
  [[nodiscard]] std::optional<Seq> take_next_seq(ChatId id, FinalChats final_chats);
  // A visitor's line that goes to its operator in its own transaction: to whom, and the name
  // its prefix shows (core::line_to_operator).
  struct Relay {
    std::string operator_jid;
    std::string visitor_name;
  };
  struct VisitorSeq {
    Seq seq = 0;
    std::optional<Relay> relay{};
  };
  // A visitor's next message (live chats only): its seq, and with `relay`, whether it goes to
  // its operator at once: when the broker holds the chat open (its state and broker_seen are
  // 'open') and every earlier visitor line was relayed. Reads only: take_visitor_seq writes it.
  [[nodiscard]] std::optional<VisitorSeq> next_visitor_seq(ChatId id, bool relay);
  // Records `next` (read in this transaction) as the chat's latest message, and as relayed when
  // it has a `relay`.
  void take_visitor_seq(ChatId id, const VisitorSeq& next);
  // How many open chats `operator_jid` holds.
  [[nodiscard]] std::size_t open_chats_of(std::string_view operator_jid);
  // A live chat becomes closed and its next seq is reserved for the closing message.
  [[nodiscard]] std::optional<Seq> close_live(ChatId id);
  // Guarded transition; false when the chat is not (or no longer) in `from`.
  [[nodiscard]] bool set_state(const core::SetState& change);
  void mark_relayed(ChatId id, Seq seq);
  void mark_all_relayed(ChatId id);      // every visitor message so far
  void hold_messages(ChatId id);         // the visitor was told that their messages wait
  void mark_left(ChatId id, bool left);  // a left message (core::MarkLeftMessage)
  // 1-based place of request `id` among the requests, oldest first (0: not a request).
  [[nodiscard]] std::vector<ChatId> queue();
  void mark_seen(const SeenState& seen);
  void touch_visitor(ChatId id, Millis now);
  void set_operator_name(ChatId id, std::string_view name);  // also: not typing
  void set_operator_typing(ChatId id, bool typing);
  void stop_operator_typing(ChatId id);
  // False when the chat is not live or the visitor's typing was that already.
  [[nodiscard]] bool set_visitor_typing(ChatId id, bool typing);
  void ack_visitor_typing(ChatId id, bool typing);  // the broker handled this state
  [[nodiscard]] std::vector<Pending::VisitorTyping> visitor_typing_changes();
  // How far the visitor's page got (handed_seq) and what the visitor saw (read_seq).
  struct Progress {
    Seq handed = 0;
    Seq read = 0;
  };
  [[nodiscard]] std::optional<Progress> progress(ChatId id);
  void set_handed(ChatId id, Seq seq);  // only ever forward
  void set_read(ChatId id, Seq seq);    // only ever forward

 private:
  [[nodiscard]] static std::vector<ChatRecord> read_all(Query& query);
  // Runs one of the seq-taking updates; the chat's new last_seq, or nullopt if no row matched.
  [[nodiscard]] std::optional<Seq> single_seq(Statement& update, ChatId id);

  Database& m_db;
  Statement m_insert;
  Statement m_find;
  Statement m_state_of;
  Statement m_live;
  Statement m_overdue;
  Statement m_unseen;
  Statement m_next_seq_live;
  Statement m_next_seq_any;
  Statement m_next_visitor_seq;
  Statement m_close_live;
  Statement m_last_seq;
  Statement m_take_visitor_seq;
  Statement m_open_chats_of;
  Statement m_set_state;
  Statement m_mark_relayed;
  Statement m_mark_all_relayed;
  Statement m_hold_messages;
  Statement m_mark_left;
  Statement m_queue;
  Statement m_mark_seen;
  Statement m_touch_visitor;
  Statement m_set_operator_name;
  Statement m_set_operator_typing;
  Statement m_stop_operator_typing;
  Statement m_set_visitor_typing;
  Statement m_ack_visitor_typing;
  Statement m_visitor_typing;
  Statement m_hand_up;
  Statement m_mark_read;
  Statement m_progress;
};

}  // namespace seshat::store::sqlite
