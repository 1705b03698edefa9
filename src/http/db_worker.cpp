#include "http/db_worker.hpp"

#include <pthread.h>

#include <algorithm>
#include <iterator>
#include <stdexcept>
#include <utility>

namespace seshat::http {
namespace {

store::Store& require(const std::unique_ptr<store::Store>& store) {
  if (!store) throw std::invalid_argument("the store factory returned no store");
  return *store;
}

}  // namespace

DbWorker::DbWorker(const StoreFactory& open_store, store::ChangeFeed& feed, visitors::Limits limits,
                   std::size_t max_queue, std::shared_ptr<const core::texts::VisitorTexts> texts,
                   std::chrono::milliseconds later_delay)
    : m_feed(feed),
      m_collect(m_uncommitted.subscribe([this](core::ChatId chat) { m_changed.push_back(chat); })),
      m_store(open_store()),
      m_visitors(require(m_store), &m_uncommitted, limits),
      m_max_queue(max_queue),
      m_later_delay(later_delay),
      m_thread([this, texts = std::move(texts)]() mutable {
        m_visitors.set_texts(std::move(texts));
        run();
      }) {}

DbWorker::~DbWorker() {
  stop();
}

bool DbWorker::submit(Job job, Urgency urgency) {
  bool wake = true;
  {
    std::lock_guard lock(m_mutex);
    if (m_stopping || m_jobs.size() + m_later.size() >= m_max_queue) return false;
    if (urgency == Urgency::now) {
      m_jobs.push_back(std::move(job));
    } else {
      if (m_later.empty()) m_later_due = std::chrono::steady_clock::now() + m_later_delay;
      m_later.push_back(std::move(job));
      // The worker is woken for the first (to time the wait) and for a full batch only.
      wake = m_later.size() == 1 || m_later.size() == k_later_batch;
    }
  }
  if (wake) m_ready.notify_one();
  return true;
}

void DbWorker::hurry() {
  {
    std::lock_guard lock(m_mutex);
    if (m_later.empty()) return;
    m_hurry = true;
  }
  m_ready.notify_one();
}

std::size_t DbWorker::queued() const {
  std::lock_guard lock(m_mutex);
  return m_jobs.size() + m_later.size();
}

void DbWorker::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_ready.notify_one();
  if (m_thread.joinable()) m_thread.join();
}

void DbWorker::run() {
  pthread_setname_np(pthread_self(), "seshat-db");  // for top -H, perf, gdb
  std::deque<Job> jobs;
  for (;;) {
    {
      std::unique_lock lock(m_mutex);
      if (!take(lock, jobs)) return;  // stopping, and everything queued is done
    }
    run_batch(jobs);
    jobs.clear();
  }
}

bool DbWorker::take(std::unique_lock<std::mutex>& lock, std::deque<Job>& jobs) {
  using Clock = std::chrono::steady_clock;
  for (;;) {
    const auto now = Clock::now();
    const bool later_due =
        !m_later.empty() &&
        (m_stopping || m_hurry || m_later.size() >= k_later_batch || now >= m_later_due);
    // Jobs that may not wait go first, in a batch of their own: their answers do not wait for
    // a batch of heartbeats' reads. Those that may wait go once no other is queued, or when they
    // waited twice their delay (a steady stream of the others does not starve them).
    const bool later_first =
        later_due && (m_jobs.empty() || m_stopping || now >= m_later_due + m_later_delay);
    if (later_first) {
      const auto taken = static_cast<std::ptrdiff_t>(std::min(m_later.size(), k_later_batch));
      std::move(m_later.begin(), m_later.begin() + taken, std::back_inserter(jobs));
      m_later.erase(m_later.begin(), m_later.begin() + taken);
      m_hurry = m_hurry && !m_later.empty();
      m_later_due = now + m_later_delay;
      return true;
    }
    if (!m_jobs.empty()) {
      jobs.swap(m_jobs);
      return true;
    }
    if (m_stopping) return false;
    if (m_later.empty()) {
      m_ready.wait(lock);
    } else {
      m_ready.wait_until(lock, m_later_due);
    }
  }
}

void DbWorker::run_batch(std::deque<Job>& jobs) {
  // One job is a batch too: its answer then goes out before a checkpoint that its commit made
  // due (see Store::checkpoint_if_due).
  if (try_batch(jobs)) {
    m_store->checkpoint_if_due();
    return;
  }
  for (auto& job : jobs) {
    const auto reply = run_one(job);
    publish_changes();
    if (reply) reply();
  }
}

bool DbWorker::try_batch(std::deque<Job>& jobs) {
  std::vector<Reply> replies;
  replies.reserve(jobs.size());
  try {
    const auto batch = m_store->begin_batch();
    for (auto& job : jobs) {
      replies.push_back(run_one(job));
      if (!batch->intact()) throw store::StoreError("the batch was rolled back");
    }
    batch->commit();
  } catch (const std::exception&) {
    m_changed.clear();  // nothing of it was stored: the jobs run again, one by one
    return false;
  }
  publish_changes();
  for (const auto& reply : replies) {
    if (reply) reply();
  }
  return true;
}

DbWorker::Reply DbWorker::run_one(Job& job) {
  // Visitors turns database failures into values; a job that throws anyway (a bug, or
  // bad_alloc) must not take the thread down with every waiting request.
  try {
    return job(m_visitors, *m_store);
  } catch (const std::exception&) {
    return {};
  }
}

void DbWorker::publish_changes() {
  m_feed.publish_all(m_changed);
}

}  // namespace seshat::http
