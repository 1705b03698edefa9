/* A visitor's chat through Seshat's C API: start, send, fetch, end.
 * Usage: chat_example_c [SQLITE_PATH]   (default /tmp/seshat.db, the seed's sample path) */

#include <seshat/client.h>

#include <inttypes.h>
#include <stdio.h>

struct progress {
  int64_t last_seq;
};

static void print_message(const seshat_message* message, void* userdata) {
  struct progress* progress = (struct progress*)userdata;
  printf("  #%" PRId64 " %s %s: %s\n", message->seq, message->at, message->from, message->text);
  progress->last_seq = message->seq;
}

static const char* status_name(int status) {
  switch (status) {
    case SESHAT_STATUS_WAITING:
      return "waiting";
    case SESHAT_STATUS_OPEN:
      return "open";
    default:
      return "closed";
  }
}

static int fail(seshat_client* client, const char* what, int result) {
  fprintf(stderr, "seshat: %s: %s (%s)\n", what, seshat_last_error(client),
          seshat_result_name(result));
  seshat_client_free(client);
  return 1;
}

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "/tmp/seshat.db";
  seshat_client* client = NULL;
  int result = seshat_client_new(path, &client);
  if (result != SESHAT_OK) return fail(client, "open", result);

  int operators = 0;
  result = seshat_availability(client, NULL, &operators);
  if (result != SESHAT_OK) return fail(client, "availability", result);
  printf("operators available: %d\n", operators);

  int64_t id = 0;
  char token[SESHAT_TOKEN_SIZE];
  result = seshat_start_chat(client, "customer", "Hi! Is my order on its way?",
                             "https://shop.example.com/orders", &id, token, sizeof token);
  if (result != SESHAT_OK) return fail(client, "start", result);
  printf("started chat #%" PRId64 "\n", id);

  int64_t seq = 0;
  result = seshat_send(client, id, token, "My order number is 1234.", &seq);
  if (result != SESHAT_OK) return fail(client, "send", result);
  printf("sent message #%" PRId64 "\n", seq);

  struct progress progress = {0};
  int status = 0;
  result = seshat_fetch(client, id, token, 0, 1000, print_message, &progress, &status);
  if (result != SESHAT_OK) return fail(client, "fetch", result);
  printf("status: %s\n", status_name(status));

  result = seshat_end(client, id, token);
  if (result != SESHAT_OK) return fail(client, "end", result);
  printf("ended chat #%" PRId64 "\n", id);

  result = seshat_fetch(client, id, token, progress.last_seq, 0, print_message, &progress, &status);
  if (result != SESHAT_OK) return fail(client, "fetch", result);
  printf("status: %s\n", status_name(status));

  seshat_client_free(client);
  return status == SESHAT_STATUS_CLOSED ? 0 : 1;
}
