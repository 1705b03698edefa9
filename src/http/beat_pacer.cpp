#include "http/beat_pacer.hpp"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <utility>

namespace seshat::http {

BeatPacer::BeatPacer(Post post, std::size_t per_pass)
    : m_post(std::move(post)), m_per_pass(std::max<std::size_t>(per_pass, 1)) {
  m_batch.reserve(m_per_pass);
}

void BeatPacer::push(Beat beat) {
  {
    std::lock_guard lock(m_mutex);
    m_queue.push_back(std::move(beat));
    if (m_passing) return;
    m_passing = true;
  }
  m_post([this] { pass(); });
}

std::size_t BeatPacer::queued() const {
  std::lock_guard lock(m_mutex);
  return m_queue.size();
}

void BeatPacer::pass() {
  {
    std::lock_guard lock(m_mutex);
    const auto count = std::min(m_per_pass, m_queue.size());
    std::move(m_queue.begin(), m_queue.begin() + static_cast<std::ptrdiff_t>(count),
              std::back_inserter(m_batch));
    m_queue.erase(m_queue.begin(), m_queue.begin() + static_cast<std::ptrdiff_t>(count));
  }
  // Outside the lock: a beat may queue another.
  try {
    for (auto& beat : m_batch) beat();
  } catch (...) {
    // The queued beats still go (the io thread logs what was thrown); this pass's others wait
    // for their streams' next beat, a period later.
    next_pass();
    throw;
  }
  next_pass();
}

void BeatPacer::next_pass() {
  m_batch.clear();
  {
    std::lock_guard lock(m_mutex);
    if (m_queue.empty()) {
      m_passing = false;
      return;
    }
  }
  m_post([this] { pass(); });
}

}  // namespace seshat::http
