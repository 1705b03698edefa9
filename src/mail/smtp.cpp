#include "mail/smtp.hpp"

#include <curl/curl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <mutex>
#include <string_view>
#include <utility>

namespace seshat::mail {

namespace detail {
// The socket of the dialogue in progress, so that abort() can shut it down from another thread.
// A descriptor is closed only under the mutex, so abort() never touches a reused number.
struct Socket {
  std::mutex mutex;
  curl_socket_t fd = CURL_SOCKET_BAD;
  bool aborted = false;
};
}  // namespace detail

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

curl_socket_t open_socket(void* user, curlsocktype, curl_sockaddr* address) {
  auto& socket = *static_cast<detail::Socket*>(user);
  std::lock_guard lock(socket.mutex);
  if (socket.aborted) return CURL_SOCKET_BAD;
  socket.fd = ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  return socket.fd;
}

int close_socket(void* user, curl_socket_t fd) {
  auto& socket = *static_cast<detail::Socket*>(user);
  std::lock_guard lock(socket.mutex);
  if (socket.fd == fd) socket.fd = CURL_SOCKET_BAD;
  return ::close(fd);
}

struct Upload {
  std::string_view data;
  std::size_t offset = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto& upload = *static_cast<Upload*>(user);
  const auto room = size * count;
  const auto left = upload.data.size() - upload.offset;
  const auto n = std::min(room, left);
  std::memcpy(buffer, upload.data.data() + upload.offset, n);
  upload.offset += n;
  return n;  // 0: the end of the message (libcurl then sends CRLF.CRLF)
}

struct EasyDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

bool is_refusal(CURLcode code, long smtp_code) {
  // 5xx is permanent (RFC 5321 4.2.1), except a refused login (535) or TLS needed (530), which
  // the site's administrator can fix: those are retried.
  if (code == CURLE_LOGIN_DENIED) return false;
  return smtp_code >= 500 && smtp_code <= 599 && smtp_code != 530 && smtp_code != 535;
}

}  // namespace

SmtpClient::SmtpClient(SmtpSettings settings)
    : m_settings(std::move(settings)), m_socket(std::make_unique<detail::Socket>()) {
  global_init();
}

SmtpClient::~SmtpClient() = default;

void SmtpClient::abort() {
  std::lock_guard lock(m_socket->mutex);
  m_socket->aborted = true;
  // Not close(): libcurl still owns the descriptor. Its blocked poll wakes, the read fails.
  if (m_socket->fd != CURL_SOCKET_BAD) ::shutdown(m_socket->fd, SHUT_RDWR);
}

SendResult SmtpClient::send(const std::string& from, const std::string& to,
                            const std::string& data) {
  {
    std::lock_guard lock(m_socket->mutex);
    if (m_socket->aborted) return {Delivery::retry, 0, "stopping"};
  }
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) return {Delivery::retry, 0, "libcurl could not start a transfer"};
  CURL* handle = curl.get();
  const std::string envelope_from = "<" + from + ">";
  std::unique_ptr<curl_slist, ListDeleter> recipients(
      curl_slist_append(nullptr, ("<" + to + ">").c_str()));
  Upload upload{data};
  std::array<char, CURL_ERROR_SIZE> message{};

  curl_easy_setopt(handle, CURLOPT_URL, m_settings.url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for timeouts
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT,
                   static_cast<long>(m_settings.connect_timeout.count()));
  curl_easy_setopt(handle, CURLOPT_TIMEOUT, static_cast<long>(m_settings.timeout.count()));
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, message.data());
  curl_easy_setopt(handle, CURLOPT_MAIL_FROM, envelope_from.c_str());
  curl_easy_setopt(handle, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(handle, CURLOPT_READFUNCTION, &read_upload);
  curl_easy_setopt(handle, CURLOPT_READDATA, &upload);
  curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(data.size()));
  curl_easy_setopt(handle, CURLOPT_OPENSOCKETFUNCTION, &open_socket);
  curl_easy_setopt(handle, CURLOPT_OPENSOCKETDATA, m_socket.get());
  curl_easy_setopt(handle, CURLOPT_CLOSESOCKETFUNCTION, &close_socket);
  curl_easy_setopt(handle, CURLOPT_CLOSESOCKETDATA, m_socket.get());
  curl_easy_setopt(handle, CURLOPT_FORBID_REUSE, 1L);  // one connection per mail
  const bool login = !m_settings.user.empty();
  if (login) {
    curl_easy_setopt(handle, CURLOPT_USERNAME, m_settings.user.c_str());
    curl_easy_setopt(handle, CURLOPT_PASSWORD, m_settings.password.c_str());
  }
  switch (m_settings.tls) {
    case TlsPolicy::verify:
    case TlsPolicy::no_verify: {
      // smtp://: STARTTLS when offered, and required before a login; smtps:// is TLS anyway.
      curl_easy_setopt(handle, CURLOPT_USE_SSL, login ? CURLUSESSL_ALL : CURLUSESSL_TRY);
      const long check = m_settings.tls == TlsPolicy::verify ? 1L : 0L;
      curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, check);
      curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, check == 1L ? 2L : 0L);
      break;
    }
    case TlsPolicy::off:
      curl_easy_setopt(handle, CURLOPT_USE_SSL, CURLUSESSL_NONE);
      break;
  }

  const CURLcode code = curl_easy_perform(handle);
  long smtp_code = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &smtp_code);
  if (code == CURLE_OK) return {Delivery::accepted, smtp_code, {}};
  std::string error = message[0] != '\0' ? message.data() : curl_easy_strerror(code);
  if (smtp_code != 0) error += " (SMTP " + std::to_string(smtp_code) + ")";
  return {is_refusal(code, smtp_code) ? Delivery::refused : Delivery::retry, smtp_code,
          std::move(error)};
}

}  // namespace seshat::mail
