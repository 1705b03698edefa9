#pragma once
// Sends one mail over SMTP: the only code of Seshat that knows libcurl (linked PRIVATE).
//
// `smtp://host:port` uses STARTTLS when the server offers it (required when a login is
// configured, so that a password never goes out in the clear); `smtps://host:port` is TLS from
// the first byte. TlsPolicy as the XMPP side's: verify (certificate and host name checked
// against the system's CAs), no_verify, or off (no TLS at all; the configuration allows it for
// a loopback server only).
//
// Threads: send() blocks (connect, dialogue, upload) for up to the timeouts below; call it from
// a thread of its own, never from the broker's or the gateway's. One SmtpClient per thread.

#include <chrono>
#include <memory>
#include <string>

namespace seshat::mail {

namespace detail {
struct Socket;  // the connection of the dialogue in progress (smtp.cpp)
}

enum class TlsPolicy { verify, no_verify, off };

struct SmtpSettings {
  std::string url;  // smtp://host:port or smtps://host:port
  TlsPolicy tls = TlsPolicy::verify;
  std::string user;      // empty: no login
  std::string password;  // with user
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds timeout{60};  // the whole dialogue of one mail
};

enum class Delivery {
  accepted,  // the server took the mail (250 after DATA)
  retry,     // not now: no connection, a timeout, a 4xx answer, a login refused
  refused,   // never: a 5xx answer to the sender, the recipient or the mail itself
};

struct SendResult {
  Delivery delivery = Delivery::retry;
  long smtp_code = 0;  // the server's last answer, 0 if none
  std::string error;   // for the log; empty when accepted
};

class SmtpClient {
 public:
  explicit SmtpClient(SmtpSettings settings);
  ~SmtpClient();
  SmtpClient(const SmtpClient&) = delete;
  SmtpClient& operator=(const SmtpClient&) = delete;

  // Sends `data` (a whole RFC 5322 message with CRLF line ends, see render()) from `from` to
  // `to` (bare addresses: the envelope).
  [[nodiscard]] SendResult send(const std::string& from, const std::string& to,
                                const std::string& data);

  // Any thread: ends the dialogue in progress at once (send() returns Delivery::retry), and
  // every later one, e.g. at shutdown. libcurl waits for the server's last answer without
  // looking at its progress callback, so this shuts the connection's socket down instead.
  void abort();

 private:
  SmtpSettings m_settings;
  std::unique_ptr<detail::Socket> m_socket;
};

}  // namespace seshat::mail
