/* A C program built against the *installed* Seshat client library through its C API (see
 * tests/install). Usage: consumer_c SQLITE_PATH   Prints "ok" when every step did what it
 * should. */
#include <seshat/client.h>

#include <stdio.h>
#include <string.h>

struct seen {
  int count;
  int64_t last_seq;
  char last_text[64];
};

static void on_message(const seshat_message* message, void* userdata) {
  struct seen* seen = userdata;
  ++seen->count;
  seen->last_seq = message->seq;
  snprintf(seen->last_text, sizeof seen->last_text, "%s", message->text);
}

static int fail(seshat_client* client, const char* what, int result) {
  fprintf(stderr, "consumer_c: %s: %s (%s)\n", what, seshat_result_name(result),
          client ? seshat_last_error(client) : "");
  seshat_client_free(client);
  return 1;
}

int main(int argc, char** argv) {
  seshat_client* client = NULL;
  int64_t id = 0;
  int64_t seq = 0;
  int status = -1;
  char token[SESHAT_TOKEN_SIZE];
  struct seen seen = {0, 0, ""};
  int result;

  if (argc != 2) {
    fprintf(stderr, "usage: consumer_c SQLITE_PATH\n");
    return 1;
  }
  result = seshat_client_new(argv[1], &client);
  if (result != SESHAT_OK) return fail(client, "seshat_client_new", result);
  result = seshat_start_chat(client, "customer", NULL, NULL, &id, token, sizeof token);
  if (result != SESHAT_OK) return fail(client, "seshat_start_chat", result);
  result = seshat_send(client, id, token, "Hi from C!", &seq);
  if (result != SESHAT_OK) return fail(client, "seshat_send", result);
  result = seshat_fetch(client, id, token, 0, 0, on_message, &seen, &status);
  if (result != SESHAT_OK) return fail(client, "seshat_fetch", result);
  if (status != SESHAT_STATUS_WAITING || seen.last_seq != seq ||
      strcmp(seen.last_text, "Hi from C!") != 0)
    return fail(client, "the message sent is not the last one fetched", result);
  result = seshat_send(client, id, "not-the-token", "Hi?", NULL);
  if (result != SESHAT_ERR_WRONG_TOKEN) return fail(client, "a wrong token", result);
  seshat_client_free(client);
  printf("ok\n");
  return 0;
}
