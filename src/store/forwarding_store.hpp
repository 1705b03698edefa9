#pragma once
// A Store that hands every call to another. SharedConnection's users hold the connection's lock
// around each call (enter()); tests derive from it to make one call fail, or watch it.

#include <memory>
#include <mutex>
#include <utility>

#include "store/store.hpp"

namespace seshat::store {

class ForwardingStore : public Store {
 public:
  explicit ForwardingStore(std::shared_ptr<Store> real) : m_real(std::move(real)) {}

  std::unique_ptr<Batch> begin_batch() override {
    const auto held = enter();
    return m_real->begin_batch();
  }
  std::unique_ptr<Batch> try_begin_batch() override {
    const auto held = enter();
    return m_real->try_begin_batch();
  }
  void checkpoint_if_due() override {
    const auto held = enter();
    m_real->checkpoint_if_due();
  }
  ChatId create_chat(const NewChat& chat) override {
    const auto held = enter();
    return m_real->create_chat(chat);
  }
  std::optional<ChatRecord> find_chat(ChatId id) override {
    const auto held = enter();
    return m_real->find_chat(id);
  }
  Added add_message(ChatId chat, core::Author from, const std::string& text) override {
    const auto held = enter();
    return m_real->add_message(chat, from, text);
  }
  Added add_visitor_message_once(ChatId chat, const std::string& text,
                                 const std::string& client_id) override {
    const auto held = enter();
    return m_real->add_visitor_message_once(chat, text, client_id);
  }
  void relay_open_lines(core::Addressing addressing) override {
    const auto held = enter();
    m_real->relay_open_lines(addressing);
  }
  std::vector<Message> messages_after(ChatId chat, Seq after, int limit) override {
    const auto held = enter();
    return m_real->messages_after(chat, after, limit);
  }
  bool close_by_visitor(ChatId chat, const std::string& text) override {
    const auto held = enter();
    return m_real->close_by_visitor(chat, text);
  }
  void set_chat_details(ChatId chat, const ChatDetails& details) override {
    const auto held = enter();
    m_real->set_chat_details(chat, details);
  }
  std::optional<VisitorInfo> visitor_info(ChatId chat, int earlier_limit) override {
    const auto held = enter();
    return m_real->visitor_info(chat, earlier_limit);
  }
  bool block(ChatId chat, Millis until) override {
    const auto held = enter();
    return m_real->block(chat, until);
  }
  int unblock(ChatId chat) override {
    const auto held = enter();
    return m_real->unblock(chat);
  }
  bool is_blocked(const std::string& visitor, const std::string& address, Millis now) override {
    const auto held = enter();
    return m_real->is_blocked(visitor, address, now);
  }
  void touch_visitor(ChatId chat, Millis now) override {
    const auto held = enter();
    m_real->touch_visitor(chat, now);
  }
  std::int64_t add_gateway(Millis now) override {
    const auto held = enter();
    return m_real->add_gateway(now);
  }
  bool refresh_gateway(std::int64_t gateway, Millis now) override {
    const auto held = enter();
    return m_real->refresh_gateway(gateway, now);
  }
  void hold_visitor(ChatId chat, std::int64_t gateway) override {
    const auto held = enter();
    m_real->hold_visitor(chat, gateway);
  }
  void let_go_visitor(ChatId chat, std::int64_t gateway, Millis now) override {
    const auto held = enter();
    m_real->let_go_visitor(chat, gateway, now);
  }
  void remove_gateway(std::int64_t gateway, Millis now) override {
    const auto held = enter();
    m_real->remove_gateway(gateway, now);
  }
  int reap_gateways(Millis stale_before) override {
    const auto held = enter();
    return m_real->reap_gateways(stale_before);
  }
  int available_operators() override {
    const auto held = enter();
    return m_real->available_operators();
  }
  int free_operators() override {
    const auto held = enter();
    return m_real->free_operators();
  }
  std::vector<ChatId> queue() override {
    const auto held = enter();
    return m_real->queue();
  }
  int chats_created_within(Millis window, const std::string& network) override {
    const auto held = enter();
    return m_real->chats_created_within(window, network);
  }
  void record_visitor_send(const std::string& network) override {
    const auto held = enter();
    m_real->record_visitor_send(network);
  }
  int visitor_sends_within(Millis window, const std::string& network) override {
    const auto held = enter();
    return m_real->visitor_sends_within(window, network);
  }
  int visitor_messages(ChatId chat) override {
    const auto held = enter();
    return m_real->visitor_messages(chat);
  }
  std::optional<std::uint64_t> free_disk_bytes() override {
    const auto held = enter();
    return m_real->free_disk_bytes();
  }
  int hand_up(ChatId chat, Seq seq) override {
    const auto held = enter();
    return m_real->hand_up(chat, seq);
  }
  int mark_read(ChatId chat, Seq seq) override {
    const auto held = enter();
    return m_real->mark_read(chat, seq);
  }
  bool set_visitor_typing(ChatId chat, bool typing) override {
    const auto held = enter();
    return m_real->set_visitor_typing(chat, typing);
  }
  std::vector<ChatRecord> live_chats() override {
    const auto held = enter();
    return m_real->live_chats();
  }
  std::vector<ChatRecord> overdue_chats(Millis seen_before, Millis created_before) override {
    const auto held = enter();
    return m_real->overdue_chats(seen_before, created_before);
  }
  Pending pending(int max_changed_chats) override {
    const auto held = enter();
    return m_real->pending(max_changed_chats);
  }
  bool apply(const core::Actions& actions, std::optional<SeenState> seen) override {
    const auto held = enter();
    return m_real->apply(actions, seen);
  }
  std::vector<std::pair<ChatId, Message>> take_operator_lines() override {
    const auto held = enter();
    return m_real->take_operator_lines();
  }
  std::vector<OutboxItem> undelivered(std::int64_t after_id, int limit) override {
    const auto held = enter();
    return m_real->undelivered(after_id, limit);
  }
  void mark_delivered(const std::vector<std::int64_t>& ids) override {
    const auto held = enter();
    m_real->mark_delivered(ids);
  }
  void reset_operators() override {
    const auto held = enter();
    m_real->reset_operators();
  }
  std::int64_t data_version() override {
    const auto held = enter();
    return m_real->data_version();
  }
  std::int64_t log_chat_changes() override {
    const auto held = enter();
    return m_real->log_chat_changes();
  }
  ChatChanges chat_changes_after(std::int64_t after, int limit) override {
    const auto held = enter();
    return m_real->chat_changes_after(after, limit);
  }
  void prune_chat_changes(int keep) override {
    const auto held = enter();
    m_real->prune_chat_changes(keep);
  }
  std::vector<MailWatch> mail_watch(int limit) override {
    const auto held = enter();
    return m_real->mail_watch(limit);
  }
  bool settle_mail(ChatId chat, Seq from, Seq to) override {
    const auto held = enter();
    return m_real->settle_mail(chat, from, to);
  }
  std::optional<std::int64_t> queue_reply_mail(ChatId chat, Seq from, Seq first_new, Seq up_to,
                                               const std::string& rcpt, Millis now) override {
    const auto held = enter();
    return m_real->queue_reply_mail(chat, from, first_new, up_to, rcpt, now);
  }
  TranscriptQueued queue_transcript_mail(ChatId chat, const std::string& rcpt, Seq up_to,
                                         const MailLimits& limits, Millis now) override {
    const auto held = enter();
    return m_real->queue_transcript_mail(chat, rcpt, up_to, limits, now);
  }
  std::vector<MailItem> due_mail(Millis now, int limit) override {
    const auto held = enter();
    return m_real->due_mail(now, limit);
  }
  std::vector<Millis> mail_sent_to(const std::string& rcpt, Millis since) override {
    const auto held = enter();
    return m_real->mail_sent_to(rcpt, since);
  }
  void mark_mail_sent(std::int64_t id, Millis now) override {
    const auto held = enter();
    m_real->mark_mail_sent(id, now);
  }
  void retry_mail(std::int64_t id, Millis next, const std::string& error) override {
    const auto held = enter();
    m_real->retry_mail(id, next, error);
  }
  void defer_mail(std::int64_t id, Millis next) override {
    const auto held = enter();
    m_real->defer_mail(id, next);
  }
  void mark_mail_failed(std::int64_t id, Millis now, const std::string& error) override {
    const auto held = enter();
    m_real->mark_mail_failed(id, now, error);
  }
  int unsent_mail() override {
    const auto held = enter();
    return m_real->unsent_mail();
  }
  std::string mail_site() override {
    const auto held = enter();
    return m_real->mail_site();
  }
  Purged purge_expired(Millis before, int max_rows) override {
    const auto held = enter();
    return m_real->purge_expired(before, max_rows);
  }
  std::optional<std::int64_t> try_lead(const std::string& holder, Millis lease_ms) override {
    const auto held = enter();
    return m_real->try_lead(holder, lease_ms);
  }
  bool renew_lead(std::int64_t epoch, Millis lease_ms) override {
    const auto held = enter();
    return m_real->renew_lead(epoch, lease_ms);
  }
  void release_lead(std::int64_t epoch) override {
    const auto held = enter();
    m_real->release_lead(epoch);
  }
  void fence(std::int64_t epoch) override {
    const auto held = enter();
    m_real->fence(epoch);
  }
  std::optional<Leader> leader() override {
    const auto held = enter();
    return m_real->leader();
  }

 protected:
  // What is held for the length of one call: nothing here.
  using Held = std::unique_lock<std::recursive_timed_mutex>;
  [[nodiscard]] virtual Held enter() { return {}; }
  [[nodiscard]] Store& real() { return *m_real; }

 private:
  std::shared_ptr<Store> m_real;
};

}  // namespace seshat::store
