#include "base/error.hpp"

namespace seshat::base {

std::string_view to_string(Error error) {
  switch (error) {
    case Error::bad_request:
      return "bad_request";
    case Error::missing_token:
      return "missing_token";
    case Error::wrong_token:
      return "wrong_token";
    case Error::no_such_chat:
      return "no_such_chat";
    case Error::chat_closed:
      return "chat_closed";
    case Error::too_large:
      return "too_large";
    case Error::too_many:
      return "too_many";
    case Error::unavailable:
      return "unavailable";
  }
  return "unavailable";
}

}  // namespace seshat::base
