#pragma once
// Small pieces both libstrophe connections of the XMPP thread share (the account's session and
// the component's link): the socket they poll, how a disconnect is described, and a guard that
// keeps exceptions out of libstrophe's C frames. XMPP thread only.

#include <strophe.h>

#include <chrono>
#include <exception>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace seshat::xmpp {

class DeliveryTracker;

// Both streams: ping the server when nothing else was sent for this long, and take a stream
// whose ping stays unanswered this long for dead.
inline constexpr std::chrono::seconds k_keepalive{60};
inline constexpr std::chrono::seconds k_barrier_timeout{30};

// Call once before the first context: xmpp_initialize(), and SIGPIPE ignored (libstrophe writes
// to dead sockets without MSG_NOSIGNAL).
void initialize_libstrophe_once();

// The socket-option callback of every connection: TCP_NODELAY and keepalive, and the socket
// remembered for take_created_socket().
int remember_socket(xmpp_conn_t* conn, void* socket);
// The socket the last xmpp_connect_* call on this thread created (-1 if none), and forgets it.
[[nodiscard]] int take_created_socket();
// Before each wait: what arrives on `socket` next is acknowledged when read, not after the
// kernel's delayed-ACK timer. A server with Nagle's algorithm on (Prosody's default) holds its
// next small stanza to us until we acknowledge the last one; that cost an operator's line 7 ms at
// p50 and 40 ms at p99 (bench/rounds.md). Linux leaves this mode by itself, hence every wait.
void ack_promptly(int socket);

// One line for a disconnect: the stream error's condition and text, or errno's text.
[[nodiscard]] std::string describe(int error, const xmpp_stream_error_t* stream_error);

// A message stanza with nothing to relay: an error (a bounce of one of ours, recorded in
// `tracker`), groupchat or headline. True when `stanza` was one and is done with. `stream`
// prefixes its log lines ("" for the account, "component " for the component).
[[nodiscard]] bool settle_unrelayable(xmpp_stanza_t* stanza, DeliveryTracker& tracker,
                                      std::string_view stream);

// Runs `f`; exceptions are logged, never unwound through libstrophe.
template <typename F>
void guarded(const char* what, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    spdlog::error("xmpp: {} failed: {}", what, e.what());
  } catch (...) {
    spdlog::error("xmpp: {} failed", what);
  }
}

}  // namespace seshat::xmpp
