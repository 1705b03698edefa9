#pragma once
// Work handed to the XMPP thread from any thread. post() queues a task and wakes the loop
// through an eventfd, which the loop polls next to libstrophe's socket: a post is noticed in
// microseconds instead of after a run_once timeout.

#include <deque>
#include <functional>
#include <mutex>

namespace seshat::xmpp {

class TaskQueue {
 public:
  TaskQueue();  // throws std::system_error if no eventfd can be made
  ~TaskQueue();
  TaskQueue(const TaskQueue&) = delete;
  TaskQueue& operator=(const TaskQueue&) = delete;

  // Any thread. Returns false (and drops the task) once the queue is closed.
  bool post(std::function<void()> task);
  // Any thread: wakes the loop without a task.
  void wake();
  // XMPP thread: every task queued so far, oldest first; clears the wake-up signal.
  [[nodiscard]] std::deque<std::function<void()>> take_all();
  // Refuses later posts (the thread is going away).
  void close();

  // The descriptor that becomes readable when tasks are waiting.
  [[nodiscard]] int wake_fd() const { return m_event_fd; }

 private:
  std::mutex m_mutex;
  std::deque<std::function<void()>> m_tasks;
  bool m_closed = false;
  int m_event_fd = -1;
};

}  // namespace seshat::xmpp
