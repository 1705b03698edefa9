#pragma once
// Work handed to the XMPP thread from any thread. post() queues a task and wakes the loop
// through an eventfd, which the loop polls next to libstrophe's socket: a post is noticed in
// microseconds instead of after a run_once timeout.
//
// System calls are the cost here (on a virtual machine each one is dear): the eventfd is
// written once until the loop takes the tasks, however many are posted meanwhile, and read only
// when it was written. A task the loop posts to itself writes nothing: the loop asks
// has_tasks() before it waits.

#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace seshat::xmpp {

class TaskQueue {
 public:
  TaskQueue();  // throws std::system_error if no eventfd can be made
  ~TaskQueue();
  TaskQueue(const TaskQueue&) = delete;
  TaskQueue& operator=(const TaskQueue&) = delete;

  // The loop's thread: its own posts do not wake the eventfd. Call it from that thread.
  void run_on_this_thread();
  // Any thread. Returns false (and drops the task) once the queue is closed.
  bool post(std::function<void()> task);
  // XMPP thread: every task queued so far, oldest first; clears the wake-up signal.
  [[nodiscard]] std::deque<std::function<void()>> take_all();
  // XMPP thread: whether tasks wait (the loop must not block then).
  [[nodiscard]] bool has_tasks();
  // Refuses later posts (the thread is going away).
  void close();

  // The descriptor that becomes readable when tasks are waiting.
  [[nodiscard]] int wake_fd() const { return m_event_fd; }

 private:
  void signal();  // with m_mutex held

  std::mutex m_mutex;
  std::deque<std::function<void()>> m_tasks;
  bool m_signalled = false;  // the eventfd was written and not read yet
  bool m_closed = false;
  std::thread::id m_loop_thread;
  int m_event_fd = -1;
};

}  // namespace seshat::xmpp
