#pragma once
// An event stream (SSE) that took over a connection's socket, as Beast's chat-multi
// http_session hands its socket to a websocket_session: the Session read the request, checked
// the token with a first read and found room among the chat's streams; from then on this
// writes: a header, then chunks (one write in flight), a heartbeat, and a new read of the chat
// whenever the WaiterRegistry wakes it. It ends when the chat is closed, the reader goes or
// falls too far behind, or the gateway stops. Internal to src/http.

#include <utility>  // before Boost (Boost 1.74 with g++ 12)

#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <string>

#include "http/shared_state.hpp"
#include "visitors/visitors.hpp"

namespace seshat::http {

// What the Session knew when it handed over: the chat, the token, where the reader is, the
// heartbeat, and what its first read returned.
struct StreamStart {
  core::ChatId chat = 0;
  std::string token;
  std::string id;  // ?stream=: the page's name for it; its own lines are not echoed to it
  core::Seq after = 0;
  std::chrono::seconds heartbeat{0};
  visitors::Transcript first;  // the first read: its messages go out after the header
  bool dirty = false;          // woken during that read: read again once the header is out
  unsigned http_version = 11;
  std::string allow_origin;  // the CORS headers of the request's answer, if any
  std::string vary;
};

// Takes over `socket` (with the connection's admission and the chat's stream slot, released
// when the stream ends) and starts writing. Returns it, so that wakes the Session still gets
// can be passed on.
std::shared_ptr<Waiter> start_event_stream(boost::asio::ip::tcp::socket socket, SharedState& shared,
                                           std::string address, Admission admission,
                                           StreamStart start);

}  // namespace seshat::http
