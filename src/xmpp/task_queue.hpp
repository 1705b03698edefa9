#pragma once
// Work handed to the XMPP thread from any thread. post() queues a task and wakes the loop
// through an eventfd, which the loop polls next to libstrophe's socket: a post is noticed in
// microseconds instead of after a run_once timeout.
//
// System calls are the cost here (on a virtual machine each one is dear): the eventfd is
// written once until the loop takes the tasks, however many are posted meanwhile, and read only
// when it was written. A task the loop posts to itself writes nothing: the loop asks
// has_tasks() before it waits.
//
// The loop's turn: the loop holds it (take_turn) except while it waits for events (rest). A
// thread that finds the loop at rest with nothing queued may run a task in its place, at once
// (run_here): waking a sleeping thread means waking an idle virtual CPU, about 0.1 ms on every
// relayed line (bench/rounds.md). At rest means quiet for `rest` (1 ms) too: no event and no task
// run here since; a busy loop (a burst) is handed its work as before, and keeps it together.
// The loop does not take its turn back before a task run here has ended, so whatever the loop's
// thread owns is still used by one thread at a time.

#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace seshat::xmpp {

class TaskQueue {
 public:
  // Throws std::system_error if no eventfd can be made.
  explicit TaskQueue(std::chrono::microseconds rest = std::chrono::milliseconds(1));
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

  // The loop's thread: its turn, held from now on (blocks while a task runs here).
  [[nodiscard]] std::unique_lock<std::mutex> take_turn();
  // The loop's thread, before it waits: lets go of `turn` and returns true, or keeps it and
  // returns false when tasks wait (then it must run them instead of waiting). `quiet`: the turn
  // that ends followed a wait that timed out, and counts as no event.
  [[nodiscard]] bool rest(std::unique_lock<std::mutex>& turn, bool quiet);
  // The loop's thread, after its wait: takes `turn` back.
  void end_rest(std::unique_lock<std::mutex>& turn);
  // Any other thread: runs `task` here and now if the loop is at rest with nothing queued, and
  // wakes the loop afterwards if the task returns true (it left what the loop's poll() cannot see:
  // bytes TLS holds, a partial write) or throws. Meanwhile this thread is the loop's: its posts
  // wait for the task to take them (take_all). False if it did not run: the loop is busy or
  // about to be, tasks wait, or the queue is closed; post it then.
  bool run_here(const std::function<bool()>& task);

  // The descriptor that becomes readable when tasks are waiting.
  [[nodiscard]] int wake_fd() const { return m_event_fd; }

 private:
  void signal();  // with m_mutex held

  std::mutex m_turn;  // taken before m_mutex, never after
  std::mutex m_mutex;
  std::deque<std::function<void()>> m_tasks;
  bool m_signalled = false;  // the eventfd was written and not read yet
  bool m_closed = false;
  bool m_resting = false;  // the loop waits without its turn, and no task runs in its place
  std::chrono::steady_clock::time_point m_quiet_since;  // the last event, or task run here
  std::chrono::microseconds m_rest;
  std::thread::id m_loop_thread;
  int m_event_fd = -1;
};

}  // namespace seshat::xmpp
