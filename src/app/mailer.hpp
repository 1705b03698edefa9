#pragma once
// The mailer: replies by email, transcripts and retention, on a thread of its own with its own
// store connection, so that a slow SMTP server or a long purge never holds up the broker's XMPP
// thread or the gateway (README "Mail", "Retention").
//
// Each round (twice a second):
// - the reply job: for every chat whose visitor gave an email and that has unsettled messages,
//   core::plan_reply_mail decides from the store alone (so it survives restarts) whether to
//   wait, settle, or queue a mail; a queued mail and the chat's new mailed_seq are one
//   transaction;
// - the sender: due mails, one SMTP dialogue each (libcurl, blocking here only). A mail is
//   marked sent only after the server accepted it, so a crash in between sends it again with
//   the same Message-ID (at least once). A server that cannot be reached ends the round; the
//   mail is retried after 1, 2, 4, ... s (at most 5 min), for up to 3 days. A 5xx refusal is
//   final. At most MailLimits::per_address_per_hour mails go to one address per hour; more wait.
// - retention (retention_days > 0): what ended before now - retention is deleted, 500 rows per
//   transaction with a pause between transactions, every min(60 s, retention / 10).
//
// Lifetime: start() once, stop() (or the destructor) joins the thread; an SMTP dialogue in
// progress is cut (the mail stays unsent and goes out after the restart).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "app/config.hpp"
#include "mail/address.hpp"
#include "store/store.hpp"

namespace seshat::mail {
class SmtpClient;
}

namespace seshat::app {

struct MailerMetrics {
  std::atomic<std::uint64_t> queued{0};   // reply mails the job queued
  std::atomic<std::uint64_t> sent{0};     // accepted by the SMTP server
  std::atomic<std::uint64_t> retried{0};  // failed attempts that will be retried
  std::atomic<std::uint64_t> failed{0};   // given up
  std::atomic<std::int64_t> unsent{0};    // mails waiting to be sent (any kind)
  std::atomic<std::uint64_t> purged_chats{0};
  std::atomic<std::uint64_t> purged_messages{0};
  std::atomic<std::uint64_t> purged_mail{0};
  std::atomic<std::uint64_t> purged_outbox{0};
};

class Mailer {
 public:
  // Opens its own connection to the store named in `config`.
  explicit Mailer(const Config& config);
  ~Mailer();
  Mailer(const Mailer&) = delete;
  Mailer& operator=(const Mailer&) = delete;

  // Whether `config` gives the mailer anything to do (mail or retention configured).
  [[nodiscard]] static bool needed(const Config& config);

  void start();
  void stop();  // idempotent
  // Before start(): every write is refused once a newer broker leadership epoch exists (a
  // mailer beside a broker that lost its leadership writes, and so mails, nothing more).
  void fence(std::int64_t epoch);

  // One round at `now` (milliseconds since the epoch), on the caller's thread (tests).
  void run_round(store::Millis now);

  // Prometheus text lines. Thread-safe.
  [[nodiscard]] std::string metrics() const;

 private:
  void plan_replies(store::Millis now);
  void send_due(store::Millis now);
  void purge(store::Millis now);
  [[nodiscard]] bool stopping();

  Config m_config;
  std::unique_ptr<store::Store> m_store;
  std::optional<mail::Mailbox> m_from;
  std::unique_ptr<mail::SmtpClient> m_smtp;
  std::string m_site;  // the database's Message-ID value
  store::MailLimits m_limits;
  store::Millis m_next_purge = 0;
  MailerMetrics m_metrics;

  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stopping = false;
  std::thread m_thread;
};

}  // namespace seshat::app
