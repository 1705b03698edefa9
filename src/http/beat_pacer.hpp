#pragma once
// Heartbeats written a few at a time. The beats of many idle streams fall on the same tick of the
// grid (event_stream.cpp); written back to back, a wave of them held the HTTP thread 4.5-8.3 ms
// among 10,000 held streams, and the requests that came meanwhile waited behind it
// (bench/rounds.md, 2026-12-07). Here due beats queue, and one pass at a time writes `per_pass`
// of them and, if more wait, posts the next pass behind whatever became ready meanwhile. Plain
// C++: how a pass is posted is given (the gateway posts to its io_context).

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

namespace seshat::http {

class BeatPacer {
 public:
  using Beat = std::function<void()>;
  using Post = std::function<void(std::function<void()>)>;

  static constexpr std::size_t k_beats_per_pass = 8;

  explicit BeatPacer(Post post, std::size_t per_pass = k_beats_per_pass);

  // Called on any thread: queues `beat`, and posts a pass unless one is under way. The pacer
  // must outlive the passes it posted (the gateway's io_context, which runs them).
  void push(Beat beat);

  [[nodiscard]] std::size_t queued() const;

 private:
  void pass();
  void next_pass();  // posts the next pass if beats wait, else lets the next push post one

  Post m_post;
  std::size_t m_per_pass;
  mutable std::mutex m_mutex;
  std::deque<Beat> m_queue;
  bool m_passing = false;     // a pass is posted or running
  std::vector<Beat> m_batch;  // the running pass's beats (one pass at a time)
};

}  // namespace seshat::http
