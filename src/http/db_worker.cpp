#include "http/db_worker.hpp"

#include <stdexcept>
#include <utility>

namespace seshat::http {
namespace {

store::Store& require(const std::unique_ptr<store::Store>& store) {
  if (!store) throw std::invalid_argument("the store factory returned no store");
  return *store;
}

}  // namespace

DbWorker::DbWorker(const StoreFactory& open_store, store::ChangeFeed& feed, client::Limits limits,
                   std::size_t max_queue)
    : m_store(open_store()),
      m_visitors(require(m_store), &feed, limits),
      m_max_queue(max_queue),
      m_thread([this] { run(); }) {}

DbWorker::~DbWorker() {
  stop();
}

bool DbWorker::submit(Job job) {
  {
    std::lock_guard lock(m_mutex);
    if (m_stopping || m_jobs.size() >= m_max_queue) return false;
    m_jobs.push_back(std::move(job));
  }
  m_ready.notify_one();
  return true;
}

std::size_t DbWorker::queued() const {
  std::lock_guard lock(m_mutex);
  return m_jobs.size();
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
  for (;;) {
    Job job;
    {
      std::unique_lock lock(m_mutex);
      m_ready.wait(lock, [this] { return m_stopping || !m_jobs.empty(); });
      if (m_jobs.empty()) return;  // stopping, and everything queued is done
      job = std::move(m_jobs.front());
      m_jobs.pop_front();
    }
    // Visitors turns database failures into values; a job that throws anyway (a bug, or
    // bad_alloc) must not take the thread down with every waiting request.
    try {
      job(m_visitors, *m_store);
    } catch (const std::exception&) {
    }
  }
}

}  // namespace seshat::http
