#include "client/visitors.hpp"

#include <algorithm>
#include <utility>

#include "client/text_check.hpp"
#include "client/token.hpp"
#include "core/texts.hpp"

namespace seshat::client {
namespace {

constexpr store::Millis k_rate_window_ms = 60'000;
constexpr std::uint64_t k_prune_every = 1024;  // operations between sweeps of per-chat state

Failure unavailable() {
  return Failure{Error::unavailable,
                 "The chat service is unavailable at the moment; please try again."};
}

Failure no_such_chat() {
  return Failure{Error::no_such_chat, "There is no such chat."};
}

Failure wrong_token() {
  return Failure{Error::wrong_token, "The chat token is not valid for this chat."};
}

Failure chat_over() {
  return Failure{Error::chat_closed, "This chat is closed."};
}

}  // namespace

Visitors::Visitors(store::Store& store, store::ChangeFeed* feed, Limits limits, Clock clock)
    : m_store(store), m_feed(feed), m_limits(limits), m_clock(std::move(clock)) {}

Visitors::Clock Visitors::system_clock() {
  return [] {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  };
}

Result<Ticket> Visitors::start(std::string_view name, std::string_view message,
                               std::string_view page) {
  auto checked_name = check_name(name, m_limits.max_name_bytes);
  if (!checked_name) return checked_name.failure();
  auto checked_message = check_message(message, m_limits.max_message_bytes);
  if (!checked_message) return checked_message.failure();
  auto checked_page = check_page(page, m_limits.max_page_bytes);
  if (!checked_page) return checked_page.failure();

  auto token = make_token();
  if (!token) return unavailable();
  store::NewChat chat;
  chat.visitor_name = std::move(checked_name).value();
  // A blank opening text is no message at all.
  if (!is_blank(checked_message.value())) chat.opening_message = std::move(checked_message).value();
  chat.page = std::move(checked_page).value();
  chat.token_hash = hash_token(*token);
  try {
    const auto id = m_store.create_chat(chat);
    m_last_touch[id] = m_clock();  // the store records creation as the visitor's first sign
    publish(id);
    return Ticket{id, std::move(*token)};
  } catch (const store::StoreError&) {
    return unavailable();
  }
}

Result<core::Seq> Visitors::send(core::ChatId id, std::string_view token, std::string_view text) {
  auto checked = check_message(text, m_limits.max_message_bytes);
  if (!checked) return checked.failure();
  if (is_blank(checked.value())) return Failure{Error::bad_request, "The message is empty."};
  try {
    auto checked_token = check_sender_token(id, token);
    if (!checked_token) return checked_token.failure();
    const auto now = m_clock();
    if (!take_send_slot(id, now))
      return Failure{Error::too_many,
                     "Too many messages in a short time; please wait a moment and try again."};
    const auto added = m_store.add_message(id, core::Author::visitor, checked.value());
    switch (added.result) {
      case store::AddResult::added:
        break;
      case store::AddResult::no_such_chat:
        return no_such_chat();
      case store::AddResult::chat_final:
        return chat_over();
    }
    // Stored: from here the answer is "sent". The presence refresh is best effort (the next
    // read or send tries again); its failure must not report a stored message as lost.
    try {
      touch(id, now);
    } catch (const store::StoreError&) {
    }
    publish(id);
    return added.seq;
  } catch (const store::StoreError&) {
    return unavailable();
  }
}

Result<Transcript> Visitors::read(core::ChatId id, std::string_view token, core::Seq after,
                                  int limit) {
  if (after < 0) return Failure{Error::bad_request, "The position 'after' must be 0 or more."};
  if (limit <= 0 || limit > m_limits.max_read_messages) limit = m_limits.max_read_messages;
  try {
    auto chat = check_token(id, token);
    if (!chat) return chat.failure();
    Transcript transcript;
    transcript.status = std::string(core::visitor_status(chat->chat.state));
    if (chat->chat.state == core::ChatState::open) {
      transcript.operator_name = chat->operator_name;
      transcript.operator_typing = chat->operator_typing;
    }
    if (after < chat->last_seq) transcript.messages = m_store.messages_after(id, after, limit);
    // The page has them now: the operator's client gets the receipts it asked for.
    core::Seq handed = 0;
    for (const auto& message : transcript.messages) {
      if (message.from == core::Author::operator_) handed = message.seq;
    }
    if (handed > chat->handed_seq && m_store.hand_up(id, handed) > 0) publish(id);
    if (!core::is_final(chat->chat.state)) touch(id, m_clock());
    return transcript;
  } catch (const store::StoreError&) {
    return unavailable();
  }
}

Result<Done> Visitors::mark_read(core::ChatId id, std::string_view token, core::Seq seq) {
  if (seq < 0) return Failure{Error::bad_request, "The position 'seq' must be 0 or more."};
  try {
    auto chat = check_token(id, token);
    if (!chat) return chat.failure();
    if (seq > chat->last_seq)
      return Failure{Error::bad_request, "The position 'seq' is past the chat's last message."};
    if (seq > chat->read_seq && m_store.mark_read(id, seq) > 0) publish(id);
    return Done{};
  } catch (const store::StoreError&) {
    return unavailable();
  }
}

Result<Done> Visitors::typing(core::ChatId id, std::string_view token, bool typing) {
  try {
    auto chat = check_token(id, token);
    if (!chat) return chat.failure();
    if (core::is_final(chat->chat.state)) return chat_over();
    if (!take_typing_slot(id, m_clock()))
      return Failure{Error::too_many,
                     "Typing changes too often; please send at most one a second."};
    if (m_store.set_visitor_typing(id, typing)) publish(id);
    return Done{};
  } catch (const store::StoreError&) {
    return unavailable();
  }
}

Result<Done> Visitors::close(core::ChatId id, std::string_view token) {
  try {
    auto chat = check_token(id, token);
    if (!chat) return chat.failure();
    if (core::is_final(chat->chat.state)) return chat_over();
    if (!m_store.close_by_visitor(id, core::texts::chat_closed())) return chat_over();
    m_senders.erase(id);
    m_last_touch.erase(id);
    m_typing.erase(id);
    publish(id);
    return Done{};
  } catch (const store::StoreError&) {
    return unavailable();
  }
}

Result<std::string> Visitors::authorize(core::ChatId id, std::string_view token) {
  try {
    auto chat = check_token(id, token);
    if (!chat) return chat.failure();
    return std::string(core::visitor_status(chat->chat.state));
  } catch (const store::StoreError&) {
    return unavailable();
  }
}

Result<Availability> Visitors::availability() {
  try {
    const int operators = m_store.available_operators();
    return Availability{operators > 0, operators};
  } catch (const store::StoreError&) {
    return unavailable();
  }
}

Result<store::ChatRecord> Visitors::check_token(core::ChatId id, std::string_view token) {
  // No database access without credentials.
  if (token.empty()) return Failure{Error::missing_token, "A chat token is required."};
  auto chat = m_store.find_chat(id);
  if (!chat) return no_such_chat();
  if (!token_matches(token, chat->token_hash)) return wrong_token();
  return std::move(*chat);
}

Result<Done> Visitors::check_sender_token(core::ChatId id, std::string_view token) {
  if (const auto sender = m_senders.find(id);
      sender != m_senders.end() && !sender->second.token_hash.empty() && !token.empty()) {
    if (!token_matches(token, sender->second.token_hash)) return wrong_token();
    return Done{};
  }
  auto chat = check_token(id, token);
  if (!chat) return chat.failure();
  if (core::is_final(chat->chat.state)) return chat_over();
  m_senders[id].token_hash = std::move(chat->token_hash);
  return Done{};
}

bool Visitors::take_send_slot(core::ChatId id, store::Millis now) {
  forget_idle(now);
  auto& sends = m_senders[id].sends;
  std::erase_if(sends, [&](store::Millis at) { return at <= now - k_rate_window_ms; });
  if (std::cmp_greater_equal(sends.size(), m_limits.messages_per_minute)) return false;
  sends.push_back(now);
  return true;
}

bool Visitors::take_typing_slot(core::ChatId id, store::Millis now) {
  forget_idle(now);
  const double burst = std::max(1, m_limits.typing_burst);
  auto [entry, fresh] = m_typing.try_emplace(id, TypingAllowance{burst, now});
  auto& allowance = entry->second;
  if (!fresh) {
    allowance.changes =
        std::min(burst, allowance.changes + static_cast<double>(now - allowance.at) / 1000.0);
    allowance.at = now;
  }
  if (allowance.changes < 1.0) return false;
  allowance.changes -= 1.0;
  return true;
}

void Visitors::touch(core::ChatId id, store::Millis now) {
  forget_idle(now);
  const auto last = m_last_touch.find(id);
  if (last != m_last_touch.end() && now - last->second < m_limits.touch_interval.count()) return;
  m_store.touch_visitor(id, now);
  m_last_touch[id] = now;  // only once written: a failed refresh is tried again next time
}

void Visitors::publish(core::ChatId id) {
  if (m_feed != nullptr) m_feed->publish(id);
}

void Visitors::forget_idle(store::Millis now) {
  // A sweep walks both maps: at most once per as many operations as they hold entries.
  const auto entries = m_senders.size() + m_last_touch.size() + m_typing.size();
  if (++m_operations < std::max<std::uint64_t>(k_prune_every, entries)) return;
  m_operations = 0;
  std::erase_if(m_senders, [&](const auto& entry) {
    const auto& sends = entry.second.sends;
    return sends.empty() || sends.back() <= now - k_rate_window_ms;
  });
  std::erase_if(m_last_touch, [&](const auto& entry) {
    return entry.second <= now - m_limits.touch_interval.count();
  });
  // A full bucket again after typing_burst seconds: forgetting it then changes nothing.
  std::erase_if(m_typing, [&](const auto& entry) {
    return entry.second.at <= now - 1000 * std::max(1, m_limits.typing_burst);
  });
}

}  // namespace seshat::client
