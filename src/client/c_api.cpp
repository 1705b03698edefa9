// The C API (include/seshat/client.h) over seshat::Client: exceptions become result codes and
// a per-client message.

#include <cstring>
#include <new>
#include <optional>

#include "base/error.hpp"
#include "core/chat.hpp"
#include "seshat/client.h"
#include "seshat/client.hpp"

struct seshat_client {
  std::optional<seshat::Client> client;  // empty when opening failed
  std::string last_error;
};

namespace {

// seshat::ErrorCode lists base::Error's failures in the same order (base/error.hpp).
int to_result(seshat::ErrorCode code) {
  return seshat::base::info(static_cast<seshat::base::Error>(code)).c_code;
}

int to_status(const std::string& status) {
  switch (seshat::core::visitor_status_from_string(status).value_or(
      seshat::core::VisitorStatus::waiting)) {
    case seshat::core::VisitorStatus::waiting:
      return SESHAT_STATUS_WAITING;
    case seshat::core::VisitorStatus::open:
      return SESHAT_STATUS_OPEN;
    case seshat::core::VisitorStatus::closed:
      return SESHAT_STATUS_CLOSED;
  }
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
  if (result == SESHAT_OK) return "SESHAT_OK";
  if (result == SESHAT_ERR_NO_MEMORY) return "SESHAT_ERR_NO_MEMORY";
  for (const auto& entry : seshat::base::k_errors) {
    if (entry.c_code == result) return entry.c_name.data();  // the table's literals end in NUL
  }
  return "SESHAT_ERR_UNKNOWN";
}

}  // extern "C"
