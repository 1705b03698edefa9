#pragma once
// The Server-Sent Events of GET .../events (text/event-stream):
//
//   retry: 3000                   once, first: how long EventSource waits before reconnecting
//   event: status                 at the start and whenever the chat's status (or, while it
//   data: {"status":"open","operator":"Alice"}     waits, its "position" in the queue; while
//                                 open, the operator's name) changes
//
//   event: typing                 whenever the operator starts or stops typing (open chats)
//   data: {"typing":true,"name":"Alice"}
//
//   id: 7                         one per message, in seq order; `id` lets EventSource resume
//   data: {"seq":7,"from":"operator","text":"Hello","at":"2026-01-01T10:00:00.000Z"}
//
//   : ping                        a comment every ~25 s, so proxies keep the stream open
//
// After the event with status "closed" the server ends the stream. A stream asked for a chat
// that is closed, with nothing after the position asked for, is answered 204 No Content (which
// tells EventSource not to reconnect).

#include <optional>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace seshat::http {

[[nodiscard]] std::string sse_retry(int milliseconds);
[[nodiscard]] std::string sse_status(core::VisitorStatus status,
                                     std::optional<int> position = std::nullopt,
                                     std::string_view operator_name = {});
[[nodiscard]] std::string sse_typing(bool typing, std::string_view name);
[[nodiscard]] std::string sse_message(const store::Message& message);
[[nodiscard]] std::string sse_ping();

}  // namespace seshat::http
