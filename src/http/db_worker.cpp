#include "http/db_worker.hpp"

#include <pthread.h>

#include <stdexcept>
#include <utility>

namespace seshat::http {
namespace {

store::Store& require(const std::unique_ptr<store::Store>& store) {
  if (!store) throw std::invalid_argument("the store factory returned no store");
  return *store;
}

store::Millis wall_clock_millis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

DbWorker::DbWorker(const StoreFactory& open_store, store::ChangeFeed& feed, visitors::Limits limits,
                   std::size_t max_queue, std::shared_ptr<const core::texts::VisitorTexts> texts,
                   std::chrono::milliseconds rest, BatchPace pace)
    : m_feed(feed),
      m_collect(m_uncommitted.subscribe(
          [this](core::ChatId chat) { m_changed.push_back(chat); },
          [this](core::ChatId chat, const store::Message& line, std::string_view sender_stream) {
            m_lines.push_back({chat, line, std::string(sender_stream)});
          })),
      m_store(open_store()),
      m_visitors(require(m_store), &m_uncommitted, limits),
      m_presence(*m_store),
      m_max_queue(max_queue),
      m_rest(rest),
      m_pace(pace),
      m_thread([this, texts = std::move(texts)]() mutable {
        m_visitors.set_texts(std::move(texts));
        run();
      }) {}

DbWorker::~DbWorker() {
  stop();
}

bool DbWorker::submit(Job job) {
  std::unique_lock lock(m_mutex);
  if (m_stopping || m_jobs.size() >= m_max_queue) return false;
  const auto now = std::chrono::steady_clock::now();
  const bool at_rest = m_jobs.empty() && (!m_last_job || now - *m_last_job >= m_rest);
  m_last_job = now;
  if (at_rest) {
    std::unique_lock use(m_store_use, std::try_to_lock);  // not while the thread runs a batch
    if (use.owns_lock()) {
      lock.unlock();
      const bool done = run_at_rest(job);
      lock.lock();
      m_last_job = std::chrono::steady_clock::now();  // a job right after this one is not at rest
      if (done) return true;
      use.unlock();
      if (m_stopping) return false;  // nothing of it was stored
    }
  }
  m_jobs.push_back(std::move(job));
  const bool wake = !m_gathering || m_jobs.size() >= m_pace.full;
  lock.unlock();
  if (wake) m_ready.notify_one();
  return true;
}

std::size_t DbWorker::queued() const {
  std::lock_guard lock(m_mutex);
  return m_jobs.size();
}

void DbWorker::count_streams(core::ChatId chat, int streams) {
  {
    std::lock_guard lock(m_mutex);
    m_counts.emplace_back(chat, streams);
  }
  m_ready.notify_one();
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
  std::vector<std::pair<core::ChatId, int>> counts;
  m_refresh_at = std::chrono::steady_clock::now();
  for (;;) {
    {
      std::unique_lock lock(m_mutex);
      m_ready.wait_until(lock, m_refresh_at,
                         [this] { return m_stopping || !m_jobs.empty() || !m_counts.empty(); });
      if (m_stopping && m_jobs.empty()) break;  // everything queued is done
      gather(lock);
      m_last_batch = m_jobs.size();
      jobs.swap(m_jobs);
      counts.swap(m_counts);
    }
    std::lock_guard use(m_store_use);
    if (!jobs.empty()) run_batch(jobs);
    jobs.clear();
    keep_presence(counts);
  }
  std::lock_guard use(m_store_use);
  m_presence.let_go_all(wall_clock_millis());
}

// Under load, the jobs queued so far wait a little for others to share their commit.
void DbWorker::gather(std::unique_lock<std::mutex>& lock) {
  if (m_last_batch < m_pace.busy || m_jobs.empty() || m_jobs.size() >= m_pace.full) return;
  m_gathering = true;
  m_ready.wait_for(lock, m_pace.gather,
                   [this] { return m_stopping || m_jobs.size() >= m_pace.full; });
  m_gathering = false;
}

// After the batch: its answers do not wait for presence, which nobody waits for.
void DbWorker::keep_presence(std::vector<std::pair<core::ChatId, int>>& counts) {
  for (const auto& [chat, streams] : counts) m_presence.count(chat, streams);
  counts.clear();
  const auto now = std::chrono::steady_clock::now();
  if (now >= m_refresh_at) {
    m_refresh_at = now + std::chrono::milliseconds(store::k_gateway_refresh_ms);
    m_presence.refresh(wall_clock_millis());
  } else {
    m_presence.write(wall_clock_millis());
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
  std::unique_ptr<store::Batch> batch;
  try {
    batch = m_store->begin_batch();
  } catch (const std::exception&) {
    return false;
  }
  return commit_together(std::move(batch), jobs);
}

// A job at rest: its batch must start without a wait, as the caller's thread must not block.
// False if it did not, or failed (then nothing of it was stored): it goes to the queue.
bool DbWorker::run_at_rest(Job& job) {
  auto batch = m_store->try_begin_batch();
  if (!batch) return false;
  std::deque<Job> jobs;
  jobs.push_back(std::move(job));
  if (!commit_together(std::move(batch), jobs)) {
    job = std::move(jobs.front());
    return false;
  }
  m_store->checkpoint_if_due();
  return true;
}

// Runs `jobs` in `batch` and commits them together, then publishes and answers. False if any of
// it failed: then nothing was stored or answered.
bool DbWorker::commit_together(std::unique_ptr<store::Batch> batch, std::deque<Job>& jobs) {
  std::vector<Reply> replies;
  replies.reserve(jobs.size());
  try {
    for (auto& job : jobs) {
      replies.push_back(run_one(job));
      if (!batch->intact()) throw store::StoreError("the batch was rolled back");
    }
    batch->commit();
  } catch (const std::exception&) {
    m_changed.clear();  // nothing of it was stored: the jobs run again (one by one, or queued)
    m_lines.clear();
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
  // Lines before the other changes: a stream that takes a line first reads after it.
  for (const auto& [chat, line, sender_stream] : m_lines)
    m_feed.publish_line(chat, line, sender_stream);
  m_lines.clear();
  m_feed.publish_all(m_changed);
}

}  // namespace seshat::http
