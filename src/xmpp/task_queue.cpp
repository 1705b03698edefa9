#include "xmpp/task_queue.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>
#include <utility>

namespace seshat::xmpp {

TaskQueue::TaskQueue() : m_event_fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (m_event_fd < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

TaskQueue::~TaskQueue() {
  ::close(m_event_fd);
}

void TaskQueue::run_on_this_thread() {
  std::lock_guard lock(m_mutex);
  m_loop_thread = std::this_thread::get_id();
}

bool TaskQueue::post(std::function<void()> task) {
  std::lock_guard lock(m_mutex);
  if (m_closed) return false;
  m_tasks.push_back(std::move(task));
  if (std::this_thread::get_id() != m_loop_thread) signal();
  return true;
}

void TaskQueue::signal() {
  // Written under the lock, so that the eventfd holds a count exactly while m_signalled says so.
  if (m_signalled) return;
  m_signalled = true;
  const std::uint64_t one = 1;
  // Only fails when the counter would overflow, and then the loop is awake anyway.
  [[maybe_unused]] auto written = ::write(m_event_fd, &one, sizeof one);
}

std::deque<std::function<void()>> TaskQueue::take_all() {
  std::lock_guard lock(m_mutex);
  if (m_signalled) {
    m_signalled = false;
    std::uint64_t count = 0;
    [[maybe_unused]] auto read = ::read(m_event_fd, &count, sizeof count);
  }
  return std::exchange(m_tasks, {});
}

bool TaskQueue::has_tasks() {
  std::lock_guard lock(m_mutex);
  return !m_tasks.empty();
}

void TaskQueue::close() {
  std::lock_guard lock(m_mutex);
  m_closed = true;
}

}  // namespace seshat::xmpp
