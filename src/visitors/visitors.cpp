#include "visitors/visitors.hpp"

#include <algorithm>
#include <utility>

#include "core/texts.hpp"
#include "visitors/text_check.hpp"
#include "visitors/token.hpp"

namespace seshat::visitors {
namespace {

constexpr store::Millis k_rate_window_ms = 60'000;
constexpr std::uint64_t k_prune_every = 1024;  // operations between sweeps of per-chat state

Failure unavailable() {
  return base::failure(Error::unavailable);
}

Failure no_such_chat() {
  return base::failure(Error::no_such_chat);
}

Failure wrong_token() {
  return base::failure(Error::wrong_token);
}

Failure chat_over() {
  return base::failure(Error::chat_closed);
}

constexpr std::size_t k_max_user_agent_bytes = 512;

// What a browser says about itself (!INFO): its id checked, the referrer and the User-Agent cut
// (never a reason to refuse a chat); a failure only for a malformed id or referrer.
std::optional<Failure> check_details(store::ChatDetails& details, std::size_t max_page_bytes) {
  if (!is_page_id(details.visitor))
    return Failure{Error::bad_request,
                   "The field 'visitor' must be at most 64 letters, digits, '-' or '_'."};
  auto referrer = check_page(details.referrer, max_page_bytes);
  if (!referrer) return referrer.failure();
  details.referrer = std::move(referrer).value();
  auto& agent = details.user_agent;
  if (agent.size() > k_max_user_agent_bytes) {
    auto cut = k_max_user_agent_bytes;
    while (cut > 0 && (static_cast<unsigned char>(agent[cut]) & 0xC0) == 0x80) --cut;
    agent.resize(cut);
  }
  if (!is_valid_utf8(agent)) agent.clear();
  return std::nullopt;
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
                               std::string_view page, std::string_view email,
                               std::string_view network, std::string_view language,
                               store::ChatDetails details) {
  auto checked_name = check_name(name, m_limits.max_name_bytes);
  if (!checked_name) return checked_name.failure();
  auto checked_message = check_message(message, m_limits.max_message_bytes);
  if (!checked_message) return checked_message.failure();
  auto checked_page = check_page(page, m_limits.max_page_bytes);
  if (!checked_page) return checked_page.failure();
  auto checked_email = check_email(email);
  if (!checked_email) return checked_email.failure();
  auto checked_language = check_language(language);
  if (!checked_language) return checked_language.failure();
  if (auto refused = check_details(details, m_limits.max_page_bytes)) return *refused;

  try {
    if (auto refused = refuse_new_chat(network, m_clock())) return *refused;
    if (m_store.is_blocked(details.visitor, details.address, m_clock()))
      return Failure{Error::blocked, "You cannot start a chat right now."};
  } catch (const store::StoreError&) {
    return unavailable();
  }
  auto token = make_token();
  if (!token) return unavailable();
  store::NewChat chat;
  chat.visitor_name = std::move(checked_name).value();
  // A blank opening text is no message at all.
  if (!is_blank(checked_message.value())) chat.opening_message = std::move(checked_message).value();
  chat.page = std::move(checked_page).value();
  chat.email = std::move(checked_email).value();
  chat.language = std::move(checked_language).value();
  chat.token_hash = hash_token(*token);
  chat.network = std::string(network);
  try {
    const auto id = m_store.create_chat(chat);
    if (details != store::ChatDetails{}) m_store.set_chat_details(id, details);
    m_last_touch[id] = m_clock();  // the store records creation as the visitor's first sign
    publish(id);
    return Ticket{id, std::move(*token)};
  } catch (const store::StoreError&) {
    return unavailable();
  }
}

Result<core::Seq> Visitors::send(core::ChatId id, std::string_view token, std::string_view text,
                                 std::string_view client_id, std::string_view network,
                                 std::string_view stream) {
  auto checked = check_message(text, m_limits.max_message_bytes);
  if (!checked) return checked.failure();
  if (!client_id.empty()) {
    if (auto checked_id = check_client_id(client_id); !checked_id) return checked_id.failure();
  }
  if (is_blank(checked.value())) return Failure{Error::bad_request, "The message is empty."};
  try {
    auto checked_token = check_sender_token(id, token);
    if (!checked_token && checked_token.failure().code == Error::chat_closed &&
        !client_id.empty()) {
      // A retry of a message stored before the chat ended still learns its seq.
      const auto earlier =
          m_store.add_visitor_message_once(id, checked.value(), std::string(client_id));
      if (earlier.repeated) return earlier.seq;
    }
    if (!checked_token) return checked_token.failure();
    const auto now = m_clock();
    if (!take_send_slot(id, now))
      return Failure{Error::too_many,
                     "Too many messages in a short time; please wait a moment and try again."};
    if (m_limits.max_messages_per_chat > 0 &&
        m_store.visitor_messages(id) >= m_limits.max_messages_per_chat)
      return Failure{Error::too_many,
                     "This chat holds as many messages as it may; please start a new chat."};
    const std::string sender_network(network);
    if (!network.empty() && m_limits.messages_per_minute_per_network > 0 &&
        m_store.visitor_sends_within(k_rate_window_ms, sender_network) >=
            m_limits.messages_per_minute_per_network)
      return Failure{Error::too_many,
                     "Too many messages came from your network in a short time; please wait a "
                     "moment and try again."};
    auto added = client_id.empty() ? m_store.add_message(id, core::Author::visitor, checked.value())
                                   : m_store.add_visitor_message_once(id, checked.value(),
                                                                      std::string(client_id));
    if (added.repeated) return added.seq;  // answered before; nothing new to announce
    switch (added.result) {
      case store::AddResult::added:
        break;
      case store::AddResult::no_such_chat:
        return no_such_chat();
      case store::AddResult::chat_final:
        return chat_over();
    }
    // Stored: from here the answer is "sent". The presence refresh and the flood count are
    // best effort (the next read or send tries again); their failure must not report a stored
    // message as lost.
    try {
      // Counted only for a limit that is on: the count is the limit's, and costs a write.
      if (!network.empty() && m_limits.messages_per_minute_per_network > 0)
        m_store.record_visitor_send(sender_network);
      touch(id, now);
    } catch (const store::StoreError&) {
    }
    store::Message line{added.seq, core::Author::visitor, checked.value(), added.at};
    line.relayed = std::move(added.relayed);
    publish_line(id, line, stream);
    return added.seq;
  } catch (const store::StoreError&) {
    return unavailable();
  }
}

// A short queue is read again for every position (exact, and cheap). A long one is read at most
// once a second: thousands of waiting visitors each asking every few seconds would otherwise
// walk it thousands of times a second. Its positions may then count, for up to a second, a
// chat ahead that was just accepted; a chat newer than the last read reads it again.
int Visitors::queue_position(core::ChatId id, store::Millis now) {
  constexpr std::size_t k_short_queue = 64;
  constexpr store::Millis k_long_queue_max_age = 1000;
  const auto place = [this, id] {
    const auto at = std::lower_bound(m_queue.begin(), m_queue.end(), id);
    return at != m_queue.end() && *at == id ? static_cast<int>(at - m_queue.begin()) + 1 : 0;
  };
  if (m_queue.size() >= k_short_queue && now >= m_queue_read_at &&
      now - m_queue_read_at < k_long_queue_max_age) {
    if (const int position = place(); position > 0) return position;
  }
  m_queue = m_store.queue();
  m_queue_read_at = now;
  return place();
}

Result<Transcript> Visitors::read(core::ChatId id, std::string_view token, core::Seq after,
                                  int limit, core::Seq handed) {
  if (after < 0) return Failure{Error::bad_request, "The position 'after' must be 0 or more."};
  if (limit <= 0 || limit > m_limits.max_read_messages) limit = m_limits.max_read_messages;
  try {
    auto chat = check_token(id, token);
    if (!chat) return chat.failure();
    Transcript transcript;
    transcript.status = core::visitor_status(chat->chat.state);
    if (core::is_request(chat->chat.state)) {
      if (const int position = queue_position(id, m_clock()); position > 0) {
        transcript.position = position;
      }
    }
    if (chat->chat.state == core::ChatState::open) {
      transcript.operator_name = chat->operator_name;
      transcript.operator_typing = chat->operator_typing;
    }
    if (after < chat->last_seq) read_page(id, after, limit, transcript);
    for (const auto& message : transcript.messages) {
      if (message.from == core::Author::operator_) handed = std::max(handed, message.seq);
    }
    if (!record_handed(chat.value(), handed) && !core::is_final(chat->chat.state))
      touch(id, m_clock());
    if (m_texts) {
      for (auto& message : transcript.messages) {
        if (message.from == core::Author::system)
          message.text = m_texts->translate(message.text, chat->chat.language);
      }
    }
    return transcript;
  } catch (const store::StoreError&) {
    return unavailable();
  }
}

Result<Done> Visitors::request_transcript(core::ChatId id, std::string_view token,
                                          std::string_view email) {
  auto address = check_email(email);
  if (!address) return address.failure();
  if (address->empty()) return Failure{Error::bad_request, "An email address is required."};
  try {
    auto chat = check_token(id, token);
    if (!chat) return chat.failure();
    if (!m_limits.mail)
      return Failure{Error::unavailable, "This site does not send mail, so no transcript."};
    if (chat->last_seq == 0)
      return Failure{Error::chat_closed, "The chat has no messages to send yet."};
    switch (m_store.queue_transcript_mail(id, address.value(), chat->last_seq, m_limits.mail_limits,
                                          m_clock())) {
      case store::TranscriptQueued::queued:
        return Done{};
      case store::TranscriptQueued::duplicate:
        return Failure{Error::chat_closed,
                       "A transcript of this chat was already sent to this address."};
      case store::TranscriptQueued::too_many_for_chat:
        return Failure{Error::too_many, "No more transcripts can be sent for this chat."};
      case store::TranscriptQueued::too_many_for_address:
        return Failure{Error::too_many,
                       "Too many mails went to this address lately; please try again later."};
    }
    return unavailable();
  } catch (const store::StoreError&) {
    return unavailable();
  }
}

Result<Done> Visitors::hand_over(core::ChatId id, std::string_view token, core::Seq handed) {
  try {
    auto chat = check_token(id, token);
    if (!chat) return chat.failure();
    (void)record_handed(chat.value(), std::min(handed, chat->last_seq));
    return Done{};
  } catch (const store::StoreError&) {
    return unavailable();
  }
}

// The page has the operator's lines up to `handed` (0: none): the operator's client gets the
// receipts it asked for; a visitor with an email gets by mail the operator lines written after
// their page was last heard from (core/reply_mail.hpp), so handing such lines over counts them
// present at once, even in a closed chat, and they are not mailed too. True when it did.
bool Visitors::record_handed(const store::ChatRecord& chat, core::Seq handed) {
  const auto id = chat.chat.id;
  if (handed > chat.handed_seq && m_store.hand_up(id, handed) > 0) publish(id);
  if (handed == 0 || chat.chat.email.empty()) return false;
  touch_now(id, m_clock());
  return true;
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

std::optional<Failure> Visitors::refuse_new_chat(std::string_view network, store::Millis now) {
  if (low_on_disk(now))
    return Failure{Error::unavailable,
                   "The chat service is short of disk space and cannot start new chats right "
                   "now; please try again later."};
  if (m_limits.chats_per_minute > 0 &&
      m_store.chats_created_within(k_rate_window_ms, {}) >= m_limits.chats_per_minute)
    return Failure{Error::too_many,
                   "Too many chats are being started right now; please try again in a minute."};
  if (!network.empty() && m_limits.chats_per_minute_per_network > 0 &&
      m_store.chats_created_within(k_rate_window_ms, std::string(network)) >=
          m_limits.chats_per_minute_per_network)
    return Failure{Error::too_many,
                   "Too many chats were started from your network; please try again in a minute."};
  return std::nullopt;
}

bool Visitors::low_on_disk(store::Millis now) {
  if (m_limits.min_free_disk_mb <= 0) return false;
  if (now - m_disk_checked_at < 1000 && now >= m_disk_checked_at) return m_low_on_disk;
  m_disk_checked_at = now;
  const auto free = m_store.free_disk_bytes();
  m_low_on_disk =
      free && *free < static_cast<std::uint64_t>(m_limits.min_free_disk_mb) * 1024 * 1024;
  return m_low_on_disk;
}

void Visitors::read_page(core::ChatId id, core::Seq after, int limit, Transcript& transcript) {
  // In small chunks, so that a page bounded by bytes never loads much more than it returns:
  // an event stream's catch-up of hundreds of long messages stays a few pages of 64 KB.
  constexpr int k_chunk = 32;
  auto& messages = transcript.messages;
  std::size_t bytes = 0;
  while (std::cmp_less(messages.size(), limit)) {
    const int want = std::min<int>(k_chunk, limit - static_cast<int>(messages.size()));
    auto chunk = m_store.messages_after(id, after, want);
    for (auto& message : chunk) {
      if (!messages.empty() && bytes + message.text.size() > m_limits.max_read_bytes) {
        transcript.more = true;
        return;
      }
      bytes += message.text.size();
      after = message.seq;
      messages.push_back(std::move(message));
    }
    if (std::cmp_less(chunk.size(), want)) return;  // nothing more
  }
  transcript.more = true;  // full by count
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

Result<core::VisitorStatus> Visitors::authorize(core::ChatId id, std::string_view token) {
  try {
    auto chat = check_token(id, token);
    if (!chat) return chat.failure();
    return core::visitor_status(chat->chat.state);
  } catch (const store::StoreError&) {
    return unavailable();
  }
}

Result<Availability> Visitors::availability() {
  try {
    const int operators = m_store.available_operators();
    return Availability{operators > 0, operators, m_store.free_operators(), m_limits.mail};
  } catch (const store::StoreError&) {
    return unavailable();
  }
}

Result<store::ChatRecord> Visitors::check_token(core::ChatId id, std::string_view token) {
  // No database access without credentials.
  if (token.empty()) return base::failure(Error::missing_token);
  auto chat = m_store.find_chat(id);
  if (!chat) return no_such_chat();
  if (!token_matches(token, chat->token_hash)) return wrong_token();
  return std::move(*chat);
}

Result<Done> Visitors::check_sender_token(core::ChatId id, std::string_view token) {
  if (const auto sender = m_senders.find(id);
      sender != m_senders.end() && !sender->second.token.empty() && !token.empty()) {
    if (!same_token(token, sender->second.token)) return wrong_token();
    return Done{};
  }
  auto chat = check_token(id, token);
  if (!chat) return chat.failure();
  if (core::is_final(chat->chat.state)) return chat_over();
  m_senders[id].token = std::string(token);
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

void Visitors::touch_now(core::ChatId id, store::Millis now) {
  m_store.touch_visitor(id, now);
  m_last_touch[id] = now;
}

void Visitors::publish(core::ChatId id) {
  if (m_feed != nullptr) m_feed->publish(id);
}

void Visitors::publish_line(core::ChatId id, const store::Message& line,
                            std::string_view sender_stream) {
  if (m_feed != nullptr) m_feed->publish_line(id, line, sender_stream);
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

}  // namespace seshat::visitors
