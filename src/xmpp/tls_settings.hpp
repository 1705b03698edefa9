#pragma once
// How a TlsPolicy becomes libstrophe connection flags and certificate checks.

#include <strophe.h>

#include "xmpp/connection.hpp"

namespace seshat::xmpp {

// The connection flags for `policy`. Stream management is always off: libstrophe 0.12.2 loses
// messages on resume, and delivery is confirmed by ping barriers instead.
[[nodiscard]] long connection_flags(TlsPolicy policy);

// Sets the flags, the CA file and (for verify) a certificate-failure handler that logs why the
// server's certificate was refused. `conn` must be disconnected.
void apply_tls_settings(xmpp_conn_t* conn, const Settings& settings);

}  // namespace seshat::xmpp
