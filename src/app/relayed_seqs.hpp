#pragma once
// Up to which seq the broker knows for certain that each open chat has no visitor line left to
// relay: the last MarkRelayed it wrote itself, and after it the broker's own lines (an
// operator's), which take seqs of the same chat. A visitor's line handed over from the
// gateway's commit (ChangeFeed::publish_line) with the seq right after that is relayed as it
// came, without reading the store back; any other waits for the broker's read of what is
// pending, which also finds the lines other processes stored.
//
// A line the gateway relayed in its own transaction (Store::relay_open_lines) says the same of
// every seq up to its own.
//
// A backlog relayed whole at an accept (RelayBacklog) is known through the chat's last seq, read
// in the transaction that relayed it (it holds the chat until it commits). A chat is forgotten,
// and learned again from that read, whenever the store may have moved without this broker's
// word: a change of state, a reload, the end of the chat; and every chat at once when a write
// failed.

#include <unordered_map>

#include "core/action.hpp"
#include "core/chat.hpp"

namespace seshat::app {

class RelayedSeqs {
 public:
  // The actions of one event, as the store took them.
  void learn(const core::Actions& actions);
  // The broker stored a line of its own (not a visitor's) in `chat`, committed.
  void passed(core::ChatId chat, core::Seq seq);
  // Every line of `chat` up to `seq` is relayed or not a visitor's. Never back: a line the
  // gateway relayed may be handed over after the broker's own later lines were passed.
  void relayed_through(core::ChatId chat, core::Seq seq);
  void forget(core::ChatId chat) { m_seqs.erase(chat); }
  void forget_all() { m_seqs.clear(); }
  // Whether `seq` is the next line of `chat` after those known.
  [[nodiscard]] bool is_next(core::ChatId chat, core::Seq seq) const;

 private:
  std::unordered_map<core::ChatId, core::Seq> m_seqs;
};

}  // namespace seshat::app
