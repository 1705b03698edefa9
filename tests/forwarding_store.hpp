#pragma once
// A Store that hands every call to a real one: a test derives from it and overrides only the
// call it makes fail or watches.

#include <memory>
#include <utility>

#include "store/store.hpp"

namespace seshat::testing {

class ForwardingStore : public store::Store {
 public:
  explicit ForwardingStore(std::unique_ptr<store::Store> real) : m_real(std::move(real)) {}

  std::unique_ptr<store::Batch> begin_batch() override { return m_real->begin_batch(); }
  std::unique_ptr<store::Batch> try_begin_batch() override { return m_real->try_begin_batch(); }
  void checkpoint_if_due() override { m_real->checkpoint_if_due(); }
  store::ChatId create_chat(const store::NewChat& chat) override {
    return m_real->create_chat(chat);
  }
  std::optional<store::ChatRecord> find_chat(store::ChatId id) override {
    return m_real->find_chat(id);
  }
  store::Added add_message(store::ChatId chat, core::Author from,
                           const std::string& text) override {
    return m_real->add_message(chat, from, text);
  }
  store::Added add_visitor_message_once(store::ChatId chat, const std::string& text,
                                        const std::string& client_id) override {
    return m_real->add_visitor_message_once(chat, text, client_id);
  }
  std::vector<store::Message> messages_after(store::ChatId chat, store::Seq after,
                                             int limit) override {
    return m_real->messages_after(chat, after, limit);
  }
  bool close_by_visitor(store::ChatId chat, const std::string& text) override {
    return m_real->close_by_visitor(chat, text);
  }
  void set_chat_details(store::ChatId chat, const store::ChatDetails& details) override {
    m_real->set_chat_details(chat, details);
  }
  std::optional<store::VisitorInfo> visitor_info(store::ChatId chat, int earlier_limit) override {
    return m_real->visitor_info(chat, earlier_limit);
  }
  bool block(store::ChatId chat, store::Millis until) override {
    return m_real->block(chat, until);
  }
  int unblock(store::ChatId chat) override { return m_real->unblock(chat); }
  bool is_blocked(const std::string& visitor, const std::string& address,
                  store::Millis now) override {
    return m_real->is_blocked(visitor, address, now);
  }
  void touch_visitor(store::ChatId chat, store::Millis now) override {
    m_real->touch_visitor(chat, now);
  }
  std::int64_t add_gateway(store::Millis now) override { return m_real->add_gateway(now); }
  bool refresh_gateway(std::int64_t gateway, store::Millis now) override {
    return m_real->refresh_gateway(gateway, now);
  }
  void hold_visitor(store::ChatId chat, std::int64_t gateway) override {
    m_real->hold_visitor(chat, gateway);
  }
  void let_go_visitor(store::ChatId chat, std::int64_t gateway, store::Millis now) override {
    m_real->let_go_visitor(chat, gateway, now);
  }
  void remove_gateway(std::int64_t gateway, store::Millis now) override {
    m_real->remove_gateway(gateway, now);
  }
  int reap_gateways(store::Millis stale_before) override {
    return m_real->reap_gateways(stale_before);
  }
  int available_operators() override { return m_real->available_operators(); }
  int free_operators() override { return m_real->free_operators(); }
  std::vector<store::ChatId> queue() override { return m_real->queue(); }
  void set_chat_network(store::ChatId chat, const std::string& network) override {
    m_real->set_chat_network(chat, network);
  }
  int chats_created_within(store::Millis window, const std::string& network) override {
    return m_real->chats_created_within(window, network);
  }
  void record_visitor_send(const std::string& network) override {
    m_real->record_visitor_send(network);
  }
  int visitor_sends_within(store::Millis window, const std::string& network) override {
    return m_real->visitor_sends_within(window, network);
  }
  int visitor_messages(store::ChatId chat) override { return m_real->visitor_messages(chat); }
  std::optional<std::uint64_t> free_disk_bytes() override { return m_real->free_disk_bytes(); }
  int hand_up(store::ChatId chat, store::Seq seq) override { return m_real->hand_up(chat, seq); }
  int mark_read(store::ChatId chat, store::Seq seq) override {
    return m_real->mark_read(chat, seq);
  }
  bool set_visitor_typing(store::ChatId chat, bool typing) override {
    return m_real->set_visitor_typing(chat, typing);
  }
  std::vector<store::ChatRecord> live_chats() override { return m_real->live_chats(); }
  std::vector<store::ChatRecord> overdue_chats(store::Millis seen_before,
                                               store::Millis created_before) override {
    return m_real->overdue_chats(seen_before, created_before);
  }
  store::Pending pending(int max_changed_chats) override {
    return m_real->pending(max_changed_chats);
  }
  bool apply(const core::Actions& actions, std::optional<store::SeenState> seen) override {
    return m_real->apply(actions, seen);
  }
  std::vector<std::pair<store::ChatId, store::Message>> take_operator_lines() override {
    return m_real->take_operator_lines();
  }
  std::vector<store::OutboxItem> undelivered(std::int64_t after_id, int limit) override {
    return m_real->undelivered(after_id, limit);
  }
  void mark_delivered(const std::vector<std::int64_t>& ids) override {
    m_real->mark_delivered(ids);
  }
  void reset_operators() override { m_real->reset_operators(); }
  std::int64_t data_version() override { return m_real->data_version(); }
  std::int64_t log_chat_changes() override { return m_real->log_chat_changes(); }
  ChatChanges chat_changes_after(std::int64_t after, int limit) override {
    return m_real->chat_changes_after(after, limit);
  }
  void prune_chat_changes(int keep) override { m_real->prune_chat_changes(keep); }
  std::vector<store::MailWatch> mail_watch(int limit) override { return m_real->mail_watch(limit); }
  bool settle_mail(store::ChatId chat, store::Seq from, store::Seq to) override {
    return m_real->settle_mail(chat, from, to);
  }
  std::optional<std::int64_t> queue_reply_mail(store::ChatId chat, store::Seq from,
                                               store::Seq first_new, store::Seq up_to,
                                               const std::string& rcpt,
                                               store::Millis now) override {
    return m_real->queue_reply_mail(chat, from, first_new, up_to, rcpt, now);
  }
  store::TranscriptQueued queue_transcript_mail(store::ChatId chat, const std::string& rcpt,
                                                store::Seq up_to, const store::MailLimits& limits,
                                                store::Millis now) override {
    return m_real->queue_transcript_mail(chat, rcpt, up_to, limits, now);
  }
  std::vector<store::MailItem> due_mail(store::Millis now, int limit) override {
    return m_real->due_mail(now, limit);
  }
  std::vector<store::Millis> mail_sent_to(const std::string& rcpt, store::Millis since) override {
    return m_real->mail_sent_to(rcpt, since);
  }
  void mark_mail_sent(std::int64_t id, store::Millis now) override {
    m_real->mark_mail_sent(id, now);
  }
  void retry_mail(std::int64_t id, store::Millis next, const std::string& error) override {
    m_real->retry_mail(id, next, error);
  }
  void defer_mail(std::int64_t id, store::Millis next) override { m_real->defer_mail(id, next); }
  void mark_mail_failed(std::int64_t id, store::Millis now, const std::string& error) override {
    m_real->mark_mail_failed(id, now, error);
  }
  int unsent_mail() override { return m_real->unsent_mail(); }
  std::string mail_site() override { return m_real->mail_site(); }
  store::Purged purge_expired(store::Millis before, int max_rows) override {
    return m_real->purge_expired(before, max_rows);
  }

 private:
  std::unique_ptr<store::Store> m_real;
};

}  // namespace seshat::testing
