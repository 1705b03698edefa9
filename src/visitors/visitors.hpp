#pragma once
// The visitor's side of Seshat: start a chat, send, read, close, availability. The ONE
// implementation of these operations, with their validation, tokens and limits; the HTTP
// gateway and the public seshat::Client are thin wrappers around it.
//
// Lifetime and threads: a Visitors uses the Store (and publishes on the ChangeFeed) it is given;
// both must outlive it. Like the Store, it is used from one thread at a time (it keeps small
// per-chat state for rate limits). Database failures are returned as Error::unavailable.
//
// Tokens: start() makes 32 random bytes (the kernel's, getrandom) into a base64url token (43
// characters, no padding) that it returns once; the store keeps only its SHA-256 (hex). Every
// other operation checks the token: none given -> missing_token; the chat unknown ->
// no_such_chat; otherwise a constant-time comparison of digests -> wrong_token on mismatch.
//
// Texts: valid UTF-8; no NUL nor other control characters except '\n' and '\t' in message text
// ("\r\n" is taken as "\n"); no U+FFFE/U+FFFF (XMPP could not carry them). Text is stored
// verbatim (HTML is not escaped here: it is text, and every reader shows it as text).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <memory>

#include "base/error.hpp"
#include "core/visitor_texts.hpp"
#include "store/change_feed.hpp"
#include "store/store.hpp"

namespace seshat::visitors {

// Expected failures are values of the project-wide Result (base/error.hpp).
using base::Done;
using base::Error;
using base::Failure;
using base::Result;

struct Limits {
  std::size_t max_name_bytes = 100;      // after trimming
  std::size_t max_message_bytes = 4096;  // opening message and every sent text
  std::size_t max_page_bytes = 2000;     // the page the visitor came from (cut)
  int messages_per_minute = 60;          // per chat, sent texts (sliding window)
  // Floods, counted in the store (they hold across gateways); 0 turns one off. A network is
  // what network_of() makes of the client's address; without one (the client library) only
  // the limits that need none apply.
  int chats_per_minute = 120;                 // new chats in total
  int chats_per_minute_per_network = 10;      // new chats from one network
  int messages_per_minute_per_network = 600;  // visitor messages from one network
  int max_messages_per_chat = 2000;           // visitor messages stored in one chat
  std::int64_t min_free_disk_mb = 200;     // below it on the database's file system: no new chats
  int max_read_messages = 500;             // most messages one read returns
  std::size_t max_read_bytes = 64 * 1024;  // and about this many bytes of text (at
                                           // least one message): a catch-up is paged
  std::chrono::milliseconds touch_interval{5000};  // visitor_seen_at is written at most this often
  bool mail = false;              // mail is configured (smtp): transcripts can be asked for
  store::MailLimits mail_limits;  // per address and per chat
  int typing_burst = 5;           // typing changes at once, then one a second
};

struct Ticket {
  core::ChatId id = 0;
  std::string token;  // the chat's only key: show it to this visitor only
};

struct Transcript {
  core::VisitorStatus status = core::VisitorStatus::waiting;
  std::vector<store::Message> messages;  // seq > after, oldest first
  std::optional<int> position;           // while waiting: 1-based place in the queue
  bool more = false;             // the page is full (by count or bytes): more may follow at once
  std::string operator_name{};   // while open: who answers (display name)
  bool operator_typing = false;  // while open: the operator is typing
};

struct Availability {
  bool available = false;  // at least one operator can take a chat now
  int operators = 0;
  int free = 0;       // available operators with room for another chat
  bool mail = false;  // the site mails answers to visitors who left (smtp is configured)
};

class Visitors {
 public:
  // Milliseconds since the Unix epoch; tests pass their own clock.
  using Clock = std::function<store::Millis()>;

  // `feed` may be null; otherwise every successful write publishes the chat's id on it (a new
  // message of the visitor's: the message itself, ChangeFeed::publish_line).
  Visitors(store::Store& store, store::ChangeFeed* feed, Limits limits = {},
           Clock clock = system_clock());

  // Opens a chat. `name` is required (one line, trimmed); `message` (an opening text),
  // `page`, `email` (checked by check_email) and `language` (a BCP 47 tag: the bot's texts to
  // the visitor) may be empty. `network` (network_of the client's address) is counted for the
  // per-network limits.
  // `details` (the browser's id, referrer, User-Agent, address, clock offset: !INFO) are
  // checked (check_details) and stored with the chat; a browser or address an operator blocked
  // (!BLOCK) gets Error::blocked.
  [[nodiscard]] Result<Ticket> start(std::string_view name, std::string_view message,
                                     std::string_view page, std::string_view email = {},
                                     std::string_view network = {}, std::string_view language = {},
                                     store::ChatDetails details = {});

  // Adds a visitor message; returns its seq. With a `client_id` (check_client_id), a retry of
  // a message stored before under the same id stores nothing and returns that message's seq.
  // `stream`: the sending page's event stream, which is not sent the line (the page has it).
  [[nodiscard]] Result<core::Seq> send(core::ChatId id, std::string_view token,
                                       std::string_view text, std::string_view client_id = {},
                                       std::string_view network = {}, std::string_view stream = {});

  // The chat's status and its messages with seq > after (at most `limit`, capped by
  // Limits::max_read_messages; limit <= 0 means that cap). Records that the visitor is present.
  // The page has what it returns, and the operator's lines up to `handed` that it got from
  // their commit (an event stream's echo): the operator's client gets the receipts it asked for.
  [[nodiscard]] Result<Transcript> read(core::ChatId id, std::string_view token, core::Seq after,
                                        int limit = 0, core::Seq handed = 0);

  // The page got the operator's lines up to `handed` from their commit, and no read handed them
  // over (the stream ended first): what read() does for them.
  [[nodiscard]] Result<Done> hand_over(core::ChatId id, std::string_view token, core::Seq handed);

  // The visitor has seen the messages up to `seq` (0 <= seq <= the chat's last seq, else
  // bad_request): the operator's client learns it (XEP-0333 displayed).
  [[nodiscard]] Result<Done> mark_read(core::ChatId id, std::string_view token, core::Seq seq);

  // The visitor started or stopped typing; the operator's client shows it (XEP-0085). Rate
  // limited per chat: a burst of Limits::typing_burst changes, then one a second (too_many).
  // A live chat only (chat_closed otherwise).
  [[nodiscard]] Result<Done> typing(core::ChatId id, std::string_view token, bool typing);

  // Ends the chat for both sides with the system message "The chat is now closed.".
  // A chat that is already over -> chat_closed.
  [[nodiscard]] Result<Done> close(core::ChatId id, std::string_view token);

  // Only checks the token; returns the chat's visitor status.
  // For streams that authorize once and then read (SSE).
  [[nodiscard]] Result<core::VisitorStatus> authorize(core::ChatId id, std::string_view token);

  [[nodiscard]] Result<Availability> availability();

  // Stores one mail of the whole chat (so far) to `email`, sent by the broker's mailer.
  // Invalid address -> bad_request; mail not configured -> unavailable; the same address
  // already asked for this chat with nothing new since -> chat_closed ("already sent", HTTP
  // 409); Limits::mail_limits reached -> too_many.
  [[nodiscard]] Result<Done> request_transcript(core::ChatId id, std::string_view token,
                                                std::string_view email);

  [[nodiscard]] const Limits& limits() const { return m_limits; }

  // From then on read() gives the bot's texts in each chat's language (else English, as stored).
  void set_texts(std::shared_ptr<const core::texts::VisitorTexts> texts) {
    m_texts = std::move(texts);
  }

  [[nodiscard]] static Clock system_clock();

 private:
  [[nodiscard]] Result<store::ChatRecord> check_token(core::ChatId id, std::string_view token);
  // check_token for send(): a chat that sent lately is checked against its remembered hash,
  // without reading the chat (add_message refuses a chat that is gone or over).
  [[nodiscard]] Result<Done> check_sender_token(core::ChatId id, std::string_view token);
  [[nodiscard]] bool take_send_slot(core::ChatId id, store::Millis now);
  void read_page(core::ChatId id, core::Seq after, int limit, Transcript& transcript);
  [[nodiscard]] std::optional<Failure> refuse_new_chat(std::string_view network, store::Millis now);
  [[nodiscard]] bool low_on_disk(store::Millis now);
  [[nodiscard]] bool take_typing_slot(core::ChatId id, store::Millis now);
  void touch(core::ChatId id, store::Millis now);
  void touch_now(core::ChatId id, store::Millis now);  // not throttled
  [[nodiscard]] bool record_handed(const store::ChatRecord& chat, core::Seq handed);
  void publish(core::ChatId id);
  void publish_line(core::ChatId id, const store::Message& line, std::string_view sender_stream);
  void forget_idle(store::Millis now);
  [[nodiscard]] int queue_position(core::ChatId id, store::Millis now);

  store::Store& m_store;
  store::ChangeFeed* m_feed;
  Limits m_limits;
  Clock m_clock;
  std::shared_ptr<const core::texts::VisitorTexts> m_texts;
  struct Sender {
    // The token a send proved against the store's digest, kept while the chat sends: its next
    // sends compare it as it is rather than hash it again. Empty until then.
    std::string token;
    std::vector<store::Millis> sends;  // within the rate window, oldest first
  };
  std::unordered_map<core::ChatId, Sender> m_senders;  // chats that sent lately
  std::unordered_map<core::ChatId, store::Millis> m_last_touch;
  std::uint64_t m_operations = 0;                // for occasional pruning of the two maps
  store::Millis m_disk_checked_at = -1'000'000;  // the free space is looked at once a second
  bool m_low_on_disk = false;
  // The queue as last read (request ids, oldest first), for `position`: every waiting visitor
  // asks every few seconds, and each read walks the whole queue.
  std::vector<core::ChatId> m_queue;
  store::Millis m_queue_read_at = -1'000'000;
  struct TypingAllowance {
    double changes = 0;  // a token bucket: typing_burst at most, one more each second
    store::Millis at = 0;
  };
  std::unordered_map<core::ChatId, TypingAllowance> m_typing;
};

}  // namespace seshat::visitors
