#include "xmpp/connection.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include "xmpp/strophe_session.hpp"
#include "xmpp/task_queue.hpp"

namespace seshat::xmpp {

Connection::Connection(Settings settings, Listener& listener)
    : m_settings(std::move(settings)),
      m_listener(listener),
      m_tasks(std::make_unique<TaskQueue>()) {}

Connection::~Connection() {
  stop();
}

void Connection::start() {
  if (m_thread.joinable()) return;
  m_thread = std::thread([this] {
    pthread_setname_np(pthread_self(), "seshat-xmpp");
    run();
  });
}

void Connection::stop() {
  if (!m_thread.joinable()) return;
  // Queued after every task already posted, so those still run first.
  m_tasks->post([this] {
    if (m_session) m_session->begin_shutdown();
  });
  m_tasks->close();
  m_thread.join();
}

bool Connection::post(std::function<void()> task) {
  if (m_tasks->post(std::move(task))) return true;
  spdlog::debug("xmpp: task posted after stop() dropped");
  return false;
}

bool Connection::run_here(const std::function<void()>& task) {
  // The session exists while its loop rests (it is in run()).
  return m_tasks->run_here([&] { return m_session->turn_here(task); });
}

void Connection::send(std::vector<Outgoing> messages) {
  if (m_session) m_session->send(std::move(messages));
}

void Connection::send_typing(const std::string& to, bool typing, core::ChatId chat) {
  if (m_session) m_session->send_typing(to, typing, chat);
}

void Connection::chat_ended(core::ChatId chat, const std::vector<std::string>& operators) {
  if (m_session) m_session->chat_ended(chat, operators);
}

bool Connection::connected() const {
  return m_session && m_session->connected();
}

bool Connection::component_connected() const {
  return m_session && m_session->component_connected();
}

void Connection::run() {
  try {
    m_session = std::make_unique<StropheSession>(m_settings, m_listener, *m_tasks, m_reconnects);
    m_session->run();
  } catch (const std::exception& e) {
    spdlog::error("xmpp: connection thread stopped: {}", e.what());
  }
  m_session.reset();
}

}  // namespace seshat::xmpp
