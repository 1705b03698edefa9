#pragma once
// Seshat's client library: what a C++ web application embeds to give its visitors a live chat
// without running Seshat's HTTP gateway. It talks to the same SQLite database as the broker
// bot (`seshat broker CONFIG SECTION`), which carries each chat to the operators over XMPP.
//
//   seshat::Client client("/var/lib/seshat/seshat.db");
//   auto ticket = client.start_chat("customer", "Hi, is my order on its way?");
//   // give ticket.id and ticket.token to this visitor's page only (the token is their key)
//   auto page = client.fetch(ticket.id, ticket.token, 0, std::chrono::seconds(25));
//   for (const auto& message : page.messages) show(message.from, message.text);
//   client.send(ticket.id, ticket.token, "Thanks!");
//   client.end(ticket.id, ticket.token);
//
// Errors: every failure throws seshat::Error; code() says which (the same list as the HTTP
// API's error statuses) and what() is one sentence fit to show the visitor.
//
// Threads: a Client may be shared by threads. Calls take turns on its one database connection;
// a fetch that waits does not hold it while waiting.

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace seshat {

enum class ErrorCode {
  bad_request,    // a field is missing or malformed (not UTF-8, control characters, empty text)
  missing_token,  // no token given
  wrong_token,    // the token is not this chat's
  no_such_chat,   // no chat with this id
  chat_closed,    // the chat is over
  too_large,  // a text is over its size limit (name 100, message 4096 bytes; a page is cut to 2000)
  too_many,   // more than 60 messages a minute in this chat, 120 new chats a minute in total, or
              // 2000 visitor messages in this chat; try again later (or start a new chat)
  unavailable,  // the database failed or could not be opened, or (start_chat) less than
                // 200 MB are free on its file system; try again later
  blocked,      // an operator blocked this visitor for a while (!BLOCK; the HTTP API's 403)
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), m_code(code) {}
  [[nodiscard]] ErrorCode code() const noexcept { return m_code; }

 private:
  ErrorCode m_code;
};

struct ChatTicket {
  std::int64_t id = 0;
  std::string token;  // the only key to this chat: give it to its visitor and nobody else
};

struct Message {
  std::int64_t seq = 0;  // 1, 2, 3, ... within the chat; pass the last one seen as `after`
  std::string from;      // "visitor", "operator" or "system"
  std::string text;      // plain text, verbatim: show it as text, never as HTML
  std::chrono::system_clock::time_point at;  // when it was stored (millisecond precision)
};

struct Messages {
  std::string status;             // "waiting" (for an operator), "open" or "closed"
  int position = 0;               // while waiting: 1-based place in the queue (else 0)
  std::vector<Message> messages;  // seq > after, oldest first
};

struct Availability {
  bool available = false;  // some operator can take a chat now
  int operators = 0;       // how many
  int free = 0;            // how many of them have room for another chat now
};

class Client {
 public:
  // Opens (creating and migrating when needed) the SQLite database at `sqlite_path`.
  // Throws Error (unavailable) if it cannot.
  explicit Client(const std::string& sqlite_path);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;

  // Opens a chat and notifies the available operators. `name` is required (one line, trimmed);
  // `message` is an optional opening text, `page` the address the visitor came from, `email`
  // the visitor's address (optional; one plausible local@domain, at most 254 characters, or
  // bad_request), so that an answer can reach them after they left the page.
  [[nodiscard]] ChatTicket start_chat(std::string_view name, std::string_view message = {},
                                      std::string_view page = {}, std::string_view email = {});

  // Sends the visitor's text to the chat; returns its seq.
  std::int64_t send(std::int64_t id, std::string_view token, std::string_view text);

  // The chat's status and its messages after seq `after`. With a `wait`, when there are none
  // yet, blocks until one arrives (from this process or any other sharing the database, such
  // as the broker), the chat closes, or the wait ends; then returns what there is (possibly
  // nothing). Returns at most 500 messages: call again with the last seq for more.
  [[nodiscard]] Messages fetch(std::int64_t id, std::string_view token, std::int64_t after,
                               std::chrono::milliseconds wait = std::chrono::milliseconds(0));

  // The visitor ends the chat: both sides are told "The chat is now closed.".
  void end(std::int64_t id, std::string_view token);

  [[nodiscard]] Availability availability();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// RFC 3339 in UTC with milliseconds, as the HTTP API shows times: "2026-11-25T09:43:59.123Z".
[[nodiscard]] std::string format_time(std::chrono::system_clock::time_point time);

}  // namespace seshat
