#pragma once
// The failures a visitor's operation can meet: one list (the table k_errors below, as Prosody's
// util/error.lua), rendered per protocol from that table: HTTP status codes in the gateway,
// seshat::ErrorCode in the public C++ API, SESHAT_ERR_* in the C API.
// Expected failures are values: operations return Result<T>, never throw them.

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace seshat::base {

// In the order of seshat::ErrorCode (include/seshat/client.hpp), which the client library
// converts by value; tests/client/error_table_test.cpp checks both orders and every C code.
enum class Error {
  bad_request,    // a field is missing or malformed
  missing_token,  // no token given
  wrong_token,    // the token is not this chat's
  no_such_chat,   // no chat with this id
  chat_closed,    // the chat is over; nothing more can be sent
  too_large,      // a field is over its size limit
  too_many,       // rate limit reached; try again later
  unavailable,    // the store failed (disk, lock timeout); try again later
};

// One row of the table: how each protocol says this failure.
struct ErrorInfo {
  Error error;
  std::string_view name;     // "bad_request", ... (for logs and metrics labels)
  int http_status;           // the HTTP API's status code
  int c_code;                // the C API's SESHAT_ERR_* value (include/seshat/client.h)
  std::string_view c_name;   // "SESHAT_ERR_BAD_REQUEST", ...
  std::string_view message;  // the sentence for the visitor when nothing more precise is said
};

inline constexpr std::array<ErrorInfo, 8> k_errors{{
    {Error::bad_request, "bad_request", 400, 1, "SESHAT_ERR_BAD_REQUEST",
     "The request is not valid."},
    {Error::missing_token, "missing_token", 401, 2, "SESHAT_ERR_MISSING_TOKEN",
     "A chat token is required."},
    {Error::wrong_token, "wrong_token", 403, 3, "SESHAT_ERR_WRONG_TOKEN",
     "The chat token is not valid for this chat."},
    {Error::no_such_chat, "no_such_chat", 404, 4, "SESHAT_ERR_NO_SUCH_CHAT",
     "There is no such chat."},
    {Error::chat_closed, "chat_closed", 409, 5, "SESHAT_ERR_CHAT_CLOSED", "This chat is closed."},
    {Error::too_large, "too_large", 413, 6, "SESHAT_ERR_TOO_LARGE", "The request is too large."},
    {Error::too_many, "too_many", 429, 7, "SESHAT_ERR_TOO_MANY",
     "Too many requests; please try again later."},
    {Error::unavailable, "unavailable", 503, 8, "SESHAT_ERR_UNAVAILABLE",
     "The chat service is unavailable at the moment; please try again."},
}};

// The row of `error` (the table is in the enum's order).
[[nodiscard]] constexpr const ErrorInfo& info(Error error) {
  return k_errors[static_cast<std::size_t>(error)];
}

// "bad_request", "missing_token", ... (for logs and metrics labels).
[[nodiscard]] std::string_view to_string(Error error);

struct Failure {
  Error code = Error::bad_request;
  std::string message;  // one clear sentence for the visitor, e.g. "The message is empty."
};

// A value or a Failure.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : m_content(std::move(value)) {}            // NOLINT: implicit by design
  Result(Failure failure) : m_content(std::move(failure)) {}  // NOLINT: implicit by design

  [[nodiscard]] bool ok() const { return std::holds_alternative<T>(m_content); }
  explicit operator bool() const { return ok(); }

  // Only when ok().
  [[nodiscard]] T& value() & { return std::get<T>(m_content); }
  [[nodiscard]] const T& value() const& { return std::get<T>(m_content); }
  [[nodiscard]] T&& value() && { return std::get<T>(std::move(m_content)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // Only when !ok().
  [[nodiscard]] const Failure& failure() const { return std::get<Failure>(m_content); }

 private:
  std::variant<T, Failure> m_content;
};

// A Failure saying `error` with the table's sentence.
[[nodiscard]] Failure failure(Error error);

// The value of operations that only succeed or fail.
struct Done {};

}  // namespace seshat::base
