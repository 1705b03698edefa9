#pragma once
// The failures a visitor's operation can meet: one list, rendered per protocol (HTTP status
// codes in the gateway, seshat::Error codes in the public C++ API, SESHAT_ERR_* in the C API).
// Expected failures are values: operations return Result<T>, never throw them.

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace seshat::base {

enum class Error {
  bad_request,    // a field is missing or malformed (HTTP 400)
  missing_token,  // no token given (HTTP 401)
  wrong_token,    // the token is not this chat's (HTTP 403)
  no_such_chat,   // no chat with this id (HTTP 404)
  chat_closed,    // the chat is over; nothing more can be sent (HTTP 409)
  too_large,      // a field is over its size limit (HTTP 413)
  too_many,       // rate limit reached; try again later (HTTP 429)
  unavailable,    // the store failed (disk, lock timeout); try again later (HTTP 503)
};

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

// The value of operations that only succeed or fail.
struct Done {};

}  // namespace seshat::base
