#pragma once
// One HTTP connection: reads requests one at a time (body limit, header and body timeouts),
// answers them, and may turn into a long-poll (one timer, a place in the WaiterRegistry) or an
// event stream (SSE: chunked body, one write in flight, a heartbeat timer).
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
