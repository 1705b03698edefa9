#include "app/relayed_seqs.hpp"

#include <type_traits>
#include <variant>

namespace seshat::app {

void RelayedSeqs::learn(const core::Actions& actions) {
  for (const auto& action : actions) {
    std::visit(
        [&](const auto& a) {
          using A = std::decay_t<decltype(a)>;
          // The broker reads a chat's unrelayed lines in order and relays them all, and hands
          // on only the next one: the store's relayed_seq is the seq it marks.
          if constexpr (std::is_same_v<A, core::MarkRelayed>) {
            m_seqs.insert_or_assign(a.chat, a.seq);
          } else if constexpr (std::is_same_v<A, core::RelayBacklog> ||
                               std::is_same_v<A, core::SetState>) {
            m_seqs.erase(a.chat);
          }
        },
        action);
  }
}

void RelayedSeqs::passed(core::ChatId chat, core::Seq seq) {
  const auto found = m_seqs.find(chat);
  if (found != m_seqs.end() && seq == found->second + 1) found->second = seq;
}

void RelayedSeqs::relayed_through(core::ChatId chat, core::Seq seq) {
  auto& known = m_seqs[chat];
  if (seq > known) known = seq;
}

bool RelayedSeqs::is_next(core::ChatId chat, core::Seq seq) const {
  const auto found = m_seqs.find(chat);
  return found != m_seqs.end() && seq == found->second + 1;
}

}  // namespace seshat::app
