#pragma once
// Which endpoint a request target names, and which methods it takes. Pure functions on strings,
// so the routing is unit-tested without a socket.
//
// Paths (prefix "/seshat" by default, "" allowed):
//   POST {prefix}/api/chats                      create_chat
//   POST|GET {prefix}/api/chats/{id}/messages    send / read (long-poll)
//   GET  {prefix}/api/chats/{id}/events          events (SSE)
//   POST {prefix}/api/chats/{id}/close           close_chat
//   POST {prefix}/api/chats/{id}/transcript      transcript (one mail of the chat)
//   POST {prefix}/api/chats/{id}/typing          typing (the visitor types, or stopped)
//   POST {prefix}/api/chats/{id}/read            mark_read (the visitor saw up to a seq)
//   GET  {prefix}/api/availability               availability
//   GET  {prefix}/api/openapi.json               openapi (this API's OpenAPI document)
//   GET  {prefix}/widget.js, widget.css, {prefix}/   the widget and the demo page
//   GET  {prefix}                                 redirect to {prefix}/
//   GET  /healthz, /metrics
// A chat id is a positive decimal integer without sign or leading zero that fits in 63 bits;
// anything else is not a route (404).

#include <string>
#include <string_view>

#include "core/chat.hpp"

namespace seshat::http {

enum class Endpoint {
  not_found,
  create_chat,
  messages,
  events,
  close_chat,
  transcript,
  typing,
  mark_read,
  availability,
  openapi,
  widget_js,
  widget_css,
  demo_page,
  demo_redirect,
  healthz,
  metrics,
};

enum class Method { get, head, post, options, other };

struct Route {
  Endpoint endpoint = Endpoint::not_found;
  core::ChatId chat = 0;   // for the /chats/{id}/... endpoints
  std::string_view query;  // what follows '?', without it (a view into the target)
};

// "/seshat/" and "/seshat" give "/seshat"; "/" and "" give "". Adds a missing leading '/'.
[[nodiscard]] std::string normalize_prefix(std::string_view prefix);

// `prefix` as normalize_prefix returns it.
[[nodiscard]] Route route(std::string_view target, std::string_view prefix);

[[nodiscard]] Method method_from_string(std::string_view method);

// Whether `method` is served at `endpoint` (OPTIONS is handled apart, as CORS preflight).
[[nodiscard]] bool method_allowed(Endpoint endpoint, Method method);

// The Allow header for a 405 answer, e.g. "GET, HEAD".
[[nodiscard]] std::string_view allowed_methods(Endpoint endpoint);

// Whether the endpoint belongs to the JSON API (CORS, origin check, no-store, JSON errors).
[[nodiscard]] bool is_api(Endpoint endpoint);

// Whether the endpoint acts on one chat, with that chat's token.
[[nodiscard]] bool needs_token(Endpoint endpoint);

// A positive decimal chat id, or 0 when `text` is not one.
[[nodiscard]] core::ChatId parse_chat_id(std::string_view text);

}  // namespace seshat::http
