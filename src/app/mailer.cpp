#include "app/mailer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "core/reply_mail.hpp"
#include "mail/message.hpp"
#include "mail/smtp.hpp"

namespace seshat::app {
namespace {

constexpr auto k_round = std::chrono::milliseconds(500);
constexpr int k_watch_per_round = 200;          // chats the reply job looks at per round
constexpr int k_lines_per_look = 500;           // unsettled messages read per chat and round
constexpr int k_mail_per_round = 20;            // mails sent per round at most
constexpr store::Millis k_first_retry = 1'000;  // then doubled per failed attempt
constexpr store::Millis k_max_retry = 300'000;
constexpr store::Millis k_give_up_after = 3LL * 24 * 3'600'000;
constexpr store::Millis k_hour = 3'600'000;
constexpr int k_purge_rows = 500;  // rows per retention transaction
constexpr auto k_purge_pause = std::chrono::milliseconds(20);
constexpr store::Millis k_max_purge_period = 60'000;
constexpr store::Millis k_min_purge_period = 1'000;

store::Millis now_millis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

mail::TlsPolicy tls_of(TlsPolicy policy) {
  switch (policy) {
    case TlsPolicy::verify:
      return mail::TlsPolicy::verify;
    case TlsPolicy::no_verify:
      return mail::TlsPolicy::no_verify;
    case TlsPolicy::off:
      return mail::TlsPolicy::off;
  }
  return mail::TlsPolicy::verify;
}

std::vector<core::MailLine> lines_of(std::vector<store::Message> messages) {
  std::vector<core::MailLine> lines;
  lines.reserve(messages.size());
  for (auto& message : messages) {
    lines.push_back({message.seq, message.from, std::move(message.text), message.at});
  }
  return lines;
}

store::Millis retry_delay(int attempts) {
  store::Millis delay = k_first_retry;
  for (int i = 1; i < attempts && delay < k_max_retry; ++i) delay *= 2;
  return std::min(delay, k_max_retry);
}

void counter(std::ostringstream& out, std::string_view name, std::string_view type,
             std::string_view help, std::int64_t value) {
  out << "# HELP seshat_" << name << ' ' << help << "\n# TYPE seshat_" << name << ' ' << type
      << "\nseshat_" << name << ' ' << value << '\n';
}

}  // namespace

Mailer::Mailer(const Config& config)
    : m_config(config), m_store(store::open_store(config.store_location())) {
  if (m_config.mail.enabled()) {
    std::string error;
    m_from = mail::parse_mailbox(m_config.mail.mail_from, error);
    if (!m_from) throw std::invalid_argument("mail_from: " + error);  // checked by the config
    mail::SmtpSettings settings;
    settings.url = m_config.mail.smtp;
    settings.tls = tls_of(m_config.mail.smtp_tls);
    settings.user = m_config.mail.smtp_user;
    settings.password = m_config.mail.smtp_password;
    m_smtp = std::make_unique<mail::SmtpClient>(std::move(settings));
    m_site = m_store->mail_site();
  }
}

Mailer::~Mailer() {
  stop();
}

void Mailer::fence(std::int64_t epoch) {
  m_store->fence(epoch);
}

bool Mailer::needed(const Config& config) {
  return config.mail.enabled() || config.retention.count() > 0;
}

void Mailer::start() {
  m_thread = std::thread([this] {
    while (!stopping()) {
      run_round(now_millis());
      std::unique_lock lock(m_mutex);
      m_wake.wait_for(lock, k_round, [this] { return m_stopping; });
    }
  });
}

void Mailer::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  if (m_smtp) m_smtp->abort();  // a dialogue in progress ends now
  m_wake.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

bool Mailer::stopping() {
  std::lock_guard lock(m_mutex);
  return m_stopping;
}

void Mailer::run_round(store::Millis now) {
  try {
    if (m_smtp) {
      plan_replies(now);
      send_due(now);
      m_metrics.unsent = m_store->unsent_mail();
    }
    if (m_config.retention.count() > 0 && now >= m_next_purge) purge(now);
  } catch (const store::StoreError& error) {
    spdlog::error("mail: store: {}", error.what());
  }
}

void Mailer::plan_replies(store::Millis now) {
  const core::MailTiming timing{
      std::chrono::duration_cast<std::chrono::milliseconds>(m_config.visitor_grace).count(),
      std::chrono::duration_cast<std::chrono::milliseconds>(m_config.mail.mail_delay).count()};
  for (const auto& watch : m_store->mail_watch(k_watch_per_round)) {
    core::ReplyMailState state;
    state.chat_over = core::is_final(watch.state);
    state.visitor_seen_at = watch.visitor_seen_at;
    state.mailed_seq = watch.mailed_seq;
    state.unsettled =
        lines_of(m_store->messages_after(watch.chat, watch.mailed_seq, k_lines_per_look));
    const auto plan = core::plan_reply_mail(state, timing, now);
    switch (plan.kind) {
      case core::ReplyMailPlan::Kind::wait:
        break;
      case core::ReplyMailPlan::Kind::settle:
        (void)m_store->settle_mail(watch.chat, watch.mailed_seq, plan.up_to);
        break;
      case core::ReplyMailPlan::Kind::mail:
        if (const auto id = m_store->queue_reply_mail(watch.chat, watch.mailed_seq, plan.first_new,
                                                      plan.up_to, watch.email, now)) {
          ++m_metrics.queued;
          spdlog::info("chat={} mail={} queued: operator lines {}..{} for the absent visitor",
                       watch.chat, *id, plan.first_new, plan.up_to);
        }
        break;
    }
  }
}

void Mailer::send_due(store::Millis now) {
  const auto domain = std::string(mail::domain_of(m_from->address));
  for (const auto& item : m_store->due_mail(now, k_mail_per_round)) {
    if (stopping()) return;
    // The per-address limit: the oldest of the last `limit` sends must be an hour old.
    const auto sent = m_store->mail_sent_to(item.rcpt, now - k_hour);
    const auto limit = static_cast<std::size_t>(m_limits.per_address_per_hour);
    if (limit > 0 && sent.size() >= limit) {
      const auto again = sent[sent.size() - limit] + k_hour;
      m_store->defer_mail(item.id, again);
      spdlog::info("mail={} chat={} waits: {} mails to this address within the hour", item.id,
                   item.chat, sent.size());
      continue;
    }
    const auto chat = m_store->find_chat(item.chat);
    if (!chat) {
      m_store->mark_mail_failed(item.id, now, "the chat is gone");
      ++m_metrics.failed;
      continue;
    }
    auto lines = lines_of(m_store->messages_after(item.chat, 0, static_cast<int>(item.up_to_seq)));
    const auto text =
        item.kind == store::MailKind::reply
            ? core::reply_mail_text(item.chat, chat->chat.visitor_name, lines, item.first_seq)
            : core::transcript_mail_text(item.chat, chat->chat.visitor_name, lines);
    std::string data;
    try {
      data = mail::render({*m_from, item.rcpt, text.subject, text.body,
                           mail::make_message_id(item.id, m_site, domain), item.created_at});
    } catch (const std::invalid_argument& error) {
      m_store->mark_mail_failed(item.id, now, error.what());
      ++m_metrics.failed;
      spdlog::error("mail={} chat={} cannot be written: {}", item.id, item.chat, error.what());
      continue;
    }
    const auto result = m_smtp->send(m_from->address, item.rcpt, data);
    const auto after = now_millis();
    switch (result.delivery) {
      case mail::Delivery::accepted:
        m_store->mark_mail_sent(item.id, after);
        ++m_metrics.sent;
        spdlog::info("mail={} chat={} sent ({})", item.id, item.chat,
                     item.kind == store::MailKind::reply ? "reply" : "transcript");
        break;
      case mail::Delivery::refused:
        m_store->mark_mail_failed(item.id, after, result.error);
        ++m_metrics.failed;
        spdlog::error("mail={} chat={} refused by the SMTP server, given up: {}", item.id,
                      item.chat, result.error);
        break;
      case mail::Delivery::retry:
        if (after - item.created_at > k_give_up_after) {
          m_store->mark_mail_failed(item.id, after, result.error);
          ++m_metrics.failed;
          spdlog::error("mail={} chat={} not sent for 3 days, given up: {}", item.id, item.chat,
                        result.error);
        } else {
          const auto delay = retry_delay(item.attempts + 1);
          m_store->retry_mail(item.id, after + delay, result.error);
          ++m_metrics.retried;
          spdlog::warn("mail={} chat={} not sent ({}); again in {} ms", item.id, item.chat,
                       result.error, delay);
        }
        return;  // the server is unwell: the other mails wait for their own next attempt
    }
  }
}

void Mailer::purge(store::Millis now) {
  const auto retention = m_config.retention.count();
  m_next_purge = now + std::clamp(retention / 10, k_min_purge_period, k_max_purge_period);
  store::Purged total;
  while (!stopping()) {
    const auto purged = m_store->purge_expired(now - retention, k_purge_rows);
    total.chats += purged.chats;
    total.messages += purged.messages;
    total.mail += purged.mail;
    total.outbox += purged.outbox;
    if (purged.rows() < k_purge_rows) break;
    // Between transactions: other writers of this process and others get the database.
    std::unique_lock lock(m_mutex);
    m_wake.wait_for(lock, k_purge_pause, [this] { return m_stopping; });
  }
  m_metrics.purged_chats += total.chats;
  m_metrics.purged_messages += total.messages;
  m_metrics.purged_mail += total.mail;
  m_metrics.purged_outbox += total.outbox;
  if (total.rows() > 0)
    spdlog::info("retention: deleted {} chats, {} messages, {} mails, {} outbox rows", total.chats,
                 total.messages, total.mail, total.outbox);
}

std::string Mailer::metrics() const {
  std::ostringstream out;
  counter(out, "mail_queued_total", "counter", "Reply mails queued for absent visitors.",
          static_cast<std::int64_t>(m_metrics.queued.load()));
  counter(out, "mail_sent_total", "counter", "Mails the SMTP server accepted.",
          static_cast<std::int64_t>(m_metrics.sent.load()));
  counter(out, "mail_retries_total", "counter", "Mail attempts that failed and will be retried.",
          static_cast<std::int64_t>(m_metrics.retried.load()));
  counter(out, "mail_failed_total", "counter", "Mails given up.",
          static_cast<std::int64_t>(m_metrics.failed.load()));
  counter(out, "mail_unsent", "gauge", "Mails waiting to be sent.", m_metrics.unsent.load());
  out << "# HELP seshat_retention_deleted_total Rows deleted by retention, by table.\n"
      << "# TYPE seshat_retention_deleted_total counter\n"
      << "seshat_retention_deleted_total{table=\"chats\"} " << m_metrics.purged_chats.load() << '\n'
      << "seshat_retention_deleted_total{table=\"messages\"} " << m_metrics.purged_messages.load()
      << '\n'
      << "seshat_retention_deleted_total{table=\"mail\"} " << m_metrics.purged_mail.load() << '\n'
      << "seshat_retention_deleted_total{table=\"outbox\"} " << m_metrics.purged_outbox.load()
      << '\n';
  return out.str();
}

}  // namespace seshat::app
