#include "xmpp/task_queue.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>
#include <utility>

namespace seshat::xmpp {

TaskQueue::TaskQueue(std::chrono::microseconds rest)
    : m_quiet_since(std::chrono::steady_clock::now() - rest),  // no event yet: quiet enough
      m_rest(rest),
      m_event_fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
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

std::unique_lock<std::mutex> TaskQueue::take_turn() {
  return std::unique_lock(m_turn);
}

bool TaskQueue::rest(std::unique_lock<std::mutex>& turn, bool quiet) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(m_mutex);
    if (!m_tasks.empty()) return false;
    m_resting = true;
    if (!quiet) m_quiet_since = now;
  }
  turn.unlock();
  return true;
}

void TaskQueue::end_rest(std::unique_lock<std::mutex>& turn) {
  turn.lock();
  std::lock_guard lock(m_mutex);
  m_resting = false;
}

bool TaskQueue::run_here(const std::function<bool()>& task) {
  const auto now = std::chrono::steady_clock::now();
  const auto may_run = [&] {
    return m_resting && !m_closed && m_tasks.empty() && now - m_quiet_since >= m_rest;
  };
  {
    // Asked first without the turn: a task that runs here may call this again (it is then not
    // resting), and must not try the turn it holds.
    std::lock_guard lock(m_mutex);
    if (!may_run()) return false;
  }
  // Only tried: a loop that woke meanwhile takes its turn, and this thread does not wait for it.
  std::unique_lock turn(m_turn, std::try_to_lock);
  if (!turn.owns_lock()) return false;
  std::thread::id loop_thread;
  {
    // This thread is the loop's for the task: what it posts waits for the task's end, as the
    // loop's own posts wait for its turn's.
    std::lock_guard lock(m_mutex);
    if (!may_run()) return false;
    m_resting = false;
    loop_thread = std::exchange(m_loop_thread, std::this_thread::get_id());
  }
  // Resting again (until the loop takes its turn back) however the task ends; the loop woken
  // if the task asks, or throws.
  struct Back {
    TaskQueue& queue;
    std::thread::id loop_thread;
    bool wake = true;
    ~Back() {
      std::lock_guard lock(queue.m_mutex);
      queue.m_loop_thread = loop_thread;
      queue.m_resting = true;
      queue.m_quiet_since = std::chrono::steady_clock::now();
      if (wake) queue.signal();
    }
  } back{*this, loop_thread};
  back.wake = task();
  return true;
}

}  // namespace seshat::xmpp
