#include "xmpp/tls_settings.hpp"

#include <spdlog/spdlog.h>

namespace seshat::xmpp {
namespace {

// Called by libstrophe when OpenSSL refused the certificate; 0 keeps the refusal.
int refuse_certificate(const xmpp_tlscert_t* cert, const char* error) {
  const char* subject = xmpp_tlscert_get_string(cert, XMPP_CERT_SUBJECT);
  spdlog::warn("xmpp: server certificate refused ({}), subject: {}", error ? error : "unknown",
               subject ? subject : "?");
  return 0;
}

}  // namespace

long connection_flags(TlsPolicy policy) {
  long flags = XMPP_CONN_FLAG_DISABLE_SM;
  switch (policy) {
    case TlsPolicy::verify:
      // Without MANDATORY_TLS libstrophe silently goes on unencrypted.
      flags |= XMPP_CONN_FLAG_MANDATORY_TLS;
      break;
    case TlsPolicy::no_verify:
      flags |= XMPP_CONN_FLAG_MANDATORY_TLS | XMPP_CONN_FLAG_TRUST_TLS;
      break;
    case TlsPolicy::off:
      flags |= XMPP_CONN_FLAG_DISABLE_TLS;
      break;
  }
  return flags;
}

void apply_tls_settings(xmpp_conn_t* conn, const Settings& settings) {
  xmpp_conn_set_flags(conn, connection_flags(settings.tls));
  if (settings.tls == TlsPolicy::verify) {
    if (!settings.ca_file.empty()) xmpp_conn_set_cafile(conn, settings.ca_file.c_str());
    xmpp_conn_set_certfail_handler(conn, refuse_certificate);
  }
}

}  // namespace seshat::xmpp
