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
  std::vector<store::Message> messages_after(store::ChatId chat, store::Seq after,
                                             int limit) override {
    return m_real->messages_after(chat, after, limit);
  }
  bool close_by_visitor(store::ChatId chat, const std::string& text) override {
    return m_real->close_by_visitor(chat, text);
  }
  void touch_visitor(store::ChatId chat, store::Millis now) override {
    m_real->touch_visitor(chat, now);
  }
  int available_operators() override { return m_real->available_operators(); }
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
  store::Pending pending() override { return m_real->pending(); }
  bool apply(const core::Actions& actions, std::optional<store::SeenState> seen) override {
    return m_real->apply(actions, seen);
  }
  std::vector<store::OutboxItem> undelivered(std::int64_t after_id, int limit) override {
    return m_real->undelivered(after_id, limit);
  }
  void mark_delivered(const std::vector<std::int64_t>& ids) override {
    m_real->mark_delivered(ids);
  }
  void reset_operators() override { m_real->reset_operators(); }
  std::int64_t data_version() override { return m_real->data_version(); }

 private:
  std::unique_ptr<store::Store> m_real;
};

}  // namespace seshat::testing
