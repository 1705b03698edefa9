/* Seshat's client library, C API: the same operations as seshat::Client (client.hpp), for C
 * programs and for bindings from other languages.
 *
 * Conventions: every name starts with seshat_ / SESHAT_; functions return SESHAT_OK (0) or a
 * SESHAT_ERR_* code, and seshat_last_error() then gives a one-sentence message. Strings are
 * NUL-terminated UTF-8. Pointers given to callbacks are valid during the call only.
 *
 * Threads: a seshat_client may be used by one thread at a time (seshat_last_error describes
 * the most recent failing call on that client). Use one client per thread, or your own lock.
 */
#ifndef SESHAT_CLIENT_H
#define SESHAT_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Result codes. */
#define SESHAT_OK 0
#define SESHAT_ERR_BAD_REQUEST 1   /* a field is missing or malformed (also a NULL argument) */
#define SESHAT_ERR_MISSING_TOKEN 2 /* no token given */
#define SESHAT_ERR_WRONG_TOKEN 3   /* the token is not this chat's */
#define SESHAT_ERR_NO_SUCH_CHAT 4  /* no chat with this id */
#define SESHAT_ERR_CHAT_CLOSED 5   /* the chat is over */
#define SESHAT_ERR_TOO_LARGE 6     /* a text is over its size limit */
#define SESHAT_ERR_TOO_MANY 7      /* too many messages in a short time; try again later */
#define SESHAT_ERR_UNAVAILABLE 8   /* the database failed or could not be opened */
#define SESHAT_ERR_NO_MEMORY 9     /* allocation failed */
#define SESHAT_ERR_BLOCKED 10      /* an operator blocked this visitor for a while (!BLOCK) */

/* A token is 43 characters; a buffer of this size always holds one and its NUL. */
#define SESHAT_TOKEN_SIZE 64

/* The chat's state as the visitor sees it. */
#define SESHAT_STATUS_WAITING 0 /* waiting for an operator to accept */
#define SESHAT_STATUS_OPEN 1    /* an operator is chatting */
#define SESHAT_STATUS_CLOSED 2  /* over */

typedef struct seshat_client seshat_client;

typedef struct seshat_message {
  int64_t seq;      /* 1, 2, 3, ... within the chat */
  const char* from; /* "visitor", "operator" or "system" */
  const char* text; /* plain text, verbatim: show it as text, never as HTML */
  int64_t at_ms;    /* when it was stored, milliseconds since the Unix epoch (UTC) */
  const char* at;   /* the same as RFC 3339: "2026-11-25T09:43:59.123Z" */
} seshat_message;

/* Called once per message, oldest first. */
typedef void (*seshat_message_callback)(const seshat_message* message, void* userdata);

/* Opens (creating and migrating when needed) the SQLite database at `sqlite_path`.
 * As with sqlite3_open, *client is set even when this fails (unless memory ran out, then it is
 * NULL), so that seshat_last_error can say why; free it with seshat_client_free either way. */
int seshat_client_new(const char* sqlite_path, seshat_client** client);

/* Frees the client; NULL is allowed. */
void seshat_client_free(seshat_client* client);

/* The message of the most recent failing call on `client` ("" if none). Valid until the next
 * call on the client. */
const char* seshat_last_error(const seshat_client* client);

/* Opens a chat. `name` is required; `message` (opening text) and `page` may be NULL.
 * On success *id is the chat's id and `token` (of `token_size` bytes, at least
 * SESHAT_TOKEN_SIZE) receives its token: the visitor's only key to the chat. */
int seshat_start_chat(seshat_client* client, const char* name, const char* message,
                      const char* page, int64_t* id, char* token, size_t token_size);

/* The same, with the visitor's email address (may be NULL): one plausible local@domain of at
 * most 254 characters, else SESHAT_ERR_BAD_REQUEST. */
int seshat_start_chat_email(seshat_client* client, const char* name, const char* message,
                            const char* page, const char* email, int64_t* id, char* token,
                            size_t token_size);

/* Sends the visitor's text; *seq (may be NULL) receives its sequence number. */
int seshat_send(seshat_client* client, int64_t id, const char* token, const char* text,
                int64_t* seq);

/* Calls `callback` for every message after seq `after` (at most 500; call again from the last
 * seq for more). With wait_ms > 0 and no such message yet, blocks until one arrives, the chat
 * closes, or wait_ms pass. *status (may be NULL) receives SESHAT_STATUS_*. */
int seshat_fetch(seshat_client* client, int64_t id, const char* token, int64_t after,
                 int64_t wait_ms, seshat_message_callback callback, void* userdata, int* status);

/* The visitor ends the chat: both sides are told "The chat is now closed.". */
int seshat_end(seshat_client* client, int64_t id, const char* token);

/* *available (may be NULL): 1 if some operator can take a chat now, else 0;
 * *operators (may be NULL): how many. */
int seshat_availability(seshat_client* client, int* available, int* operators);

/* "SESHAT_OK", "SESHAT_ERR_BAD_REQUEST", ...; "SESHAT_ERR_UNKNOWN" for any other number. */
const char* seshat_result_name(int result);

#ifdef __cplusplus
}
#endif

#endif /* SESHAT_CLIENT_H */
