// The C API (include/seshat/client.h) over seshat::Client: exceptions become result codes and
// a per-client message.

#include <cstring>
#include <new>
#include <optional>

#include "seshat/client.h"
#include "seshat/client.hpp"

struct seshat_client {
  std::optional<seshat::Client> client;  // empty when opening failed
  std::string last_error;
};

namespace {

int to_result(seshat::ErrorCode code) {
  switch (code) {
    case seshat::ErrorCode::bad_request:
      return SESHAT_ERR_BAD_REQUEST;
    case seshat::ErrorCode::missing_token:
      return SESHAT_ERR_MISSING_TOKEN;
    case seshat::ErrorCode::wrong_token:
      return SESHAT_ERR_WRONG_TOKEN;
    case seshat::ErrorCode::no_such_chat:
      return SESHAT_ERR_NO_SUCH_CHAT;
    case seshat::ErrorCode::chat_closed:
      return SESHAT_ERR_CHAT_CLOSED;
    case seshat::ErrorCode::too_large:
      return SESHAT_ERR_TOO_LARGE;
    case seshat::ErrorCode::too_many:
      return SESHAT_ERR_TOO_MANY;
    case seshat::ErrorCode::unavailable:
      return SESHAT_ERR_UNAVAILABLE;
  }
  return SESHAT_ERR_UNAVAILABLE;
}

int to_status(const std::string& status) {
  if (status == "open") return SESHAT_STATUS_OPEN;
  if (status == "closed") return SESHAT_STATUS_CLOSED;
  return SESHAT_STATUS_WAITING;
}

// Runs `operation` on the client's seshat::Client, turning every exception into a code.
template <class Operation>
int guarded(seshat_client* handle, Operation operation) {
  if (handle == nullptr) return SESHAT_ERR_BAD_REQUEST;
  handle->last_error.clear();
  if (!handle->client) {
    handle->last_error = "The client's database could not be opened.";
    return SESHAT_ERR_UNAVAILABLE;
  }
  try {
    return operation(*handle->client);
  } catch (const seshat::Error& error) {
    handle->last_error = error.what();
    return to_result(error.code());
  } catch (const std::bad_alloc&) {
    handle->last_error = "Out of memory.";
    return SESHAT_ERR_NO_MEMORY;
  } catch (const std::exception& error) {
    handle->last_error = error.what();
    return SESHAT_ERR_UNAVAILABLE;
  }
}

int missing_argument(seshat_client* handle, const char* what) {
  handle->last_error = std::string("The argument '") + what + "' must not be NULL.";
  return SESHAT_ERR_BAD_REQUEST;
}

std::string_view or_empty(const char* text) {
  return text == nullptr ? "" : text;
}

}  // namespace

extern "C" {

int seshat_client_new(const char* sqlite_path, seshat_client** client) {
  if (client == nullptr) return SESHAT_ERR_BAD_REQUEST;
  *client = new (std::nothrow) seshat_client;
  if (*client == nullptr) return SESHAT_ERR_NO_MEMORY;
  if (sqlite_path == nullptr) return missing_argument(*client, "sqlite_path");
  try {
    (*client)->client.emplace(sqlite_path);
    return SESHAT_OK;
  } catch (const seshat::Error& error) {
    (*client)->last_error = error.what();
    return to_result(error.code());
  } catch (const std::bad_alloc&) {
    (*client)->last_error = "Out of memory.";
    return SESHAT_ERR_NO_MEMORY;
  } catch (const std::exception& error) {
    (*client)->last_error = error.what();
    return SESHAT_ERR_UNAVAILABLE;
  }
}

void seshat_client_free(seshat_client* client) {
  delete client;
}

const char* seshat_last_error(const seshat_client* client) {
  return client == nullptr ? "" : client->last_error.c_str();
}

int seshat_start_chat(seshat_client* client, const char* name, const char* message,
                      const char* page, int64_t* id, char* token, size_t token_size) {
  return seshat_start_chat_email(client, name, message, page, nullptr, id, token, token_size);
}

int seshat_start_chat_email(seshat_client* client, const char* name, const char* message,
                            const char* page, const char* email, int64_t* id, char* token,
                            size_t token_size) {
  return guarded(client, [&](seshat::Client& cpp) {
    if (name == nullptr) return missing_argument(client, "name");
    if (id == nullptr) return missing_argument(client, "id");
    if (token == nullptr) return missing_argument(client, "token");
    if (token_size < SESHAT_TOKEN_SIZE) {
      client->last_error = "The token buffer must hold SESHAT_TOKEN_SIZE bytes.";
      return SESHAT_ERR_BAD_REQUEST;
    }
    const auto ticket = cpp.start_chat(name, or_empty(message), or_empty(page), or_empty(email));
    *id = ticket.id;
    std::memcpy(token, ticket.token.c_str(), ticket.token.size() + 1);
    return SESHAT_OK;
  });
}

int seshat_send(seshat_client* client, int64_t id, const char* token, const char* text,
                int64_t* seq) {
  return guarded(client, [&](seshat::Client& cpp) {
    if (text == nullptr) return missing_argument(client, "text");
    const auto sent = cpp.send(id, or_empty(token), text);
    if (seq != nullptr) *seq = sent;
    return SESHAT_OK;
  });
}

int seshat_fetch(seshat_client* client, int64_t id, const char* token, int64_t after,
                 int64_t wait_ms, seshat_message_callback callback, void* userdata, int* status) {
  return guarded(client, [&](seshat::Client& cpp) {
    if (callback == nullptr) return missing_argument(client, "callback");
    const auto fetched = cpp.fetch(id, or_empty(token), after, std::chrono::milliseconds(wait_ms));
    if (status != nullptr) *status = to_status(fetched.status);
    for (const auto& message : fetched.messages) {
      const auto at = seshat::format_time(message.at);
      const seshat_message view{
          message.seq, message.from.c_str(), message.text.c_str(),
          std::chrono::duration_cast<std::chrono::milliseconds>(message.at.time_since_epoch())
              .count(),
          at.c_str()};
      callback(&view, userdata);
    }
    return SESHAT_OK;
  });
}

int seshat_end(seshat_client* client, int64_t id, const char* token) {
  return guarded(client, [&](seshat::Client& cpp) {
    cpp.end(id, or_empty(token));
    return SESHAT_OK;
  });
}

int seshat_availability(seshat_client* client, int* available, int* operators) {
  return guarded(client, [&](seshat::Client& cpp) {
    const auto availability = cpp.availability();
    if (available != nullptr) *available = availability.available ? 1 : 0;
    if (operators != nullptr) *operators = availability.operators;
    return SESHAT_OK;
  });
}

const char* seshat_result_name(int result) {
  switch (result) {
    case SESHAT_OK:
      return "SESHAT_OK";
    case SESHAT_ERR_BAD_REQUEST:
      return "SESHAT_ERR_BAD_REQUEST";
    case SESHAT_ERR_MISSING_TOKEN:
      return "SESHAT_ERR_MISSING_TOKEN";
    case SESHAT_ERR_WRONG_TOKEN:
      return "SESHAT_ERR_WRONG_TOKEN";
    case SESHAT_ERR_NO_SUCH_CHAT:
      return "SESHAT_ERR_NO_SUCH_CHAT";
    case SESHAT_ERR_CHAT_CLOSED:
      return "SESHAT_ERR_CHAT_CLOSED";
    case SESHAT_ERR_TOO_LARGE:
      return "SESHAT_ERR_TOO_LARGE";
    case SESHAT_ERR_TOO_MANY:
      return "SESHAT_ERR_TOO_MANY";
    case SESHAT_ERR_UNAVAILABLE:
      return "SESHAT_ERR_UNAVAILABLE";
    case SESHAT_ERR_NO_MEMORY:
      return "SESHAT_ERR_NO_MEMORY";
    default:
      return "SESHAT_ERR_UNKNOWN";
  }
}

}  // extern "C"
