#pragma once
// The switchboard: the whole behaviour of the broker as pure logic. It holds the live chats and
// operator presence in memory, takes one Event at a time and returns the Actions to carry out.
// It does no I/O; the app layer persists its actions and feeds it again from the store after a
// restart (restore) or when the store refused a batch (a concurrent change elsewhere).

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/action.hpp"
#include "core/event.hpp"
#include "core/presence.hpp"

namespace seshat::core {

// Whether visitors see who answers (the operator's display name) or "Support".
enum class OperatorNames { shown, hidden };

class Switchboard {
 public:
  // `operators`: the configured operators' bare JIDs (the seed's localusers). Nobody else is
  // ever obeyed.
  explicit Switchboard(std::vector<std::string> operators,
                       OperatorNames names = OperatorNames::shown);

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
  // The open chat the operator (any case, resource ignored) handles, or nullptr.
  [[nodiscard]] const Chat* chat_of(std::string_view operator_jid) const;
  [[nodiscard]] std::vector<const Chat*> requests() const;    // waiting or notified, oldest first
  [[nodiscard]] std::vector<const Chat*> open_chats() const;  // oldest first
  [[nodiscard]] bool is_operator(std::string_view bare_jid) const;
  [[nodiscard]] const Presence& presence() const { return m_presence; }
  // What visitors see as the operator's name: their nickname (XEP-0172), else their vCard's
  // name, else their JID's local part; "Support" when names are hidden.
  [[nodiscard]] std::string display_name(std::string_view operator_jid) const;
  // The same once `event` is committed.
  [[nodiscard]] std::string display_name_after(const OperatorNamed& event) const;

 private:
  std::vector<std::string> m_operators;  // sorted bare JIDs
  Presence m_presence;
  std::map<ChatId, Chat> m_chats;  // live chats only
  std::set<ChatId> m_open;         // the open ones among them: operators' lookups stay small
  OperatorNames m_show_names;
  struct KnownName {
    NameSource source = NameSource::vcard;
    std::string name;
  };
  std::map<std::string, KnownName, std::less<>> m_names;  // by bare JID

  [[nodiscard]] std::optional<KnownName> learn(const OperatorNamed& event) const;
  void forget(ChatId id);
  void index_open(const Chat& chat);  // after any change of the chat's state
};

}  // namespace seshat::core
