#include "xmpp/strophe_common.hpp"

#include "xmpp/delivery_tracker.hpp"
#include "xmpp/stanzas.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <array>
#include <csignal>
#include <cstring>
#include <mutex>

namespace seshat::xmpp {
namespace {

// libstrophe's socket-option callback has no userdata; it runs inside xmpp_connect_*(), on
// this thread, so the socket it saw is handed over through this thread-local slot and read right
// after the call returns.
thread_local int t_created_socket = -1;

}  // namespace

int remember_socket(xmpp_conn_t* conn, void* socket) {
  t_created_socket = *static_cast<int*>(socket);
  // A chat relay writes small stanzas one after another: with Nagle on, the second waits for the
  // server's delayed ACK of the first (40 ms).
  const int on = 1;
  setsockopt(t_created_socket, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  return xmpp_sockopt_cb_keepalive(conn, socket);
}

void ack_promptly(int socket) {
  const int on = 1;
  setsockopt(socket, IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
}

int take_created_socket() {
  const int socket = t_created_socket;
  t_created_socket = -1;
  return socket;
}

void initialize_libstrophe_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    xmpp_initialize();
    // libstrophe writes to dead sockets without MSG_NOSIGNAL.
    std::signal(SIGPIPE, SIG_IGN);
  });
}

namespace {

// RFC 6120 section 4.9.3 conditions, in the order of libstrophe's xmpp_error_type_t.
constexpr std::array<const char*, 24> k_stream_conditions = {"bad-format",
                                                             "bad-namespace-prefix",
                                                             "conflict",
                                                             "connection-timeout",
                                                             "host-gone",
                                                             "host-unknown",
                                                             "improper-addressing",
                                                             "internal-server-error",
                                                             "invalid-from",
                                                             "invalid-id",
                                                             "invalid-namespace",
                                                             "invalid-xml",
                                                             "not-authorized",
                                                             "policy-violation",
                                                             "remote-connection-failed",
                                                             "resource-constraint",
                                                             "restricted-xml",
                                                             "see-other-host",
                                                             "system-shutdown",
                                                             "undefined-condition",
                                                             "unsupported-encoding",
                                                             "unsupported-stanza-type",
                                                             "unsupported-version",
                                                             "xml-not-well-formed"};

}  // namespace

std::string describe(int error, const xmpp_stream_error_t* stream_error) {
  if (stream_error) {
    const auto index = static_cast<std::size_t>(stream_error->type);
    std::string text = "stream error ";
    text += index < k_stream_conditions.size() ? k_stream_conditions[index] : "unknown";
    if (stream_error->text) text += std::string(": ") + stream_error->text;
    return text;
  }
  if (error != 0) return std::strerror(error);
  return "connection closed";
}

bool settle_unrelayable(xmpp_stanza_t* stanza, DeliveryTracker& tracker, std::string_view stream) {
  const auto type = attribute(stanza, "type");
  const auto from = attribute(stanza, "from");
  if (type == "error") {  // never answered: bookkeeping only
    const auto id = attribute(stanza, "id");
    if (tracker.bounce(id)) {
      spdlog::warn("xmpp: {}message {} bounced by {}", stream, id, from);
    } else {
      spdlog::debug("xmpp: {}message error for id '{}' from {} ignored", stream, id, from);
    }
    return true;
  }
  if (type == "groupchat" || type == "headline") {
    spdlog::debug("xmpp: {}{} message from {} ignored", stream, type, from);
    return true;
  }
  return false;
}

}  // namespace seshat::xmpp
