#pragma once
// The JSON API's calls that answer at once (start a chat, send, close, transcript, typing,
// read marks, availability) as plain functions, without a socket or Beast: the request's parts
// in, a job for the database thread out, whose result is the answer (status and JSON). The
// Session decodes nothing itself: it runs the job on the DbWorker and writes the answer (or the
// failure, with its status from the error table); unit tests run the job on a Visitors directly.
// Long-polls and event streams, which wait, stay with the Session.

#include <functional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "core/chat.hpp"
#include "http/routes.hpp"
#include "visitors/visitors.hpp"

namespace seshat::http {

// One request, as the Session read it. Views into the request: valid during prepare_api_call.
struct ApiRequest {
  Endpoint endpoint = Endpoint::not_found;
  Method method = Method::get;
  core::ChatId chat = 0;     // the /chats/{id}/... endpoints
  std::string_view body;     // the request body (JSON)
  std::string_view token;    // Authorization: Bearer ..., "" when none
  std::string_view referer;  // the Referer header, "" when none
  std::string_view network;  // network_of(the client's address)
};

struct ApiAnswer {
  int status = 200;
  std::string body;  // JSON; empty for 204
};

// Runs on the database thread, with its Visitors.
using ApiJob = std::function<base::Result<ApiAnswer>(visitors::Visitors&)>;

// Whether prepare_api_call handles this endpoint and method.
[[nodiscard]] bool answers_at_once(Endpoint endpoint, Method method);

// Decodes the request (on the io thread): a Failure at once (a bad body: 400), or the job that
// does it and gives the answer. Only for answers_at_once(endpoint, method).
[[nodiscard]] base::Result<ApiJob> prepare_api_call(const ApiRequest& request);

}  // namespace seshat::http
