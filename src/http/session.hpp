#pragma once
// One HTTP connection: reads requests one at a time (body limit, header and body timeouts),
// answers them (the API calls that answer at once through api_handler.hpp), and may wait as a
// long-poll (one timer, a place in the WaiterRegistry). A stream request, once its first read
// proved the token and found room, hands the socket to an EventStream (event_stream.hpp), as
// Beast's chat-multi http_session hands its socket to a websocket_session.
//
// Threads and lifetime (Beast's chat-multi): the connection lives on its own strand (or on the
// one io thread, which serializes it as well); every pending operation holds a shared_ptr to
// it, nothing else does. Database work goes to the DbWorker and its result is posted back to
// the connection's executor. Internal to src/http.

#include <utility>  // before Boost (Boost 1.74 with g++ 12)

#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <string>

#include "http/shared_state.hpp"

namespace seshat::http {

// Creates the session for an accepted socket (already on its executor) and starts it.
// `admission` (normal or a reserve slot) is released with `address` when the session ends.
void start_session(boost::asio::ip::tcp::socket socket, SharedState& shared, std::string address,
                   Admission admission);

}  // namespace seshat::http
