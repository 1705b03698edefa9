#include "store/pg_listener.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string_view>

#include "store/pg_db.hpp"

namespace seshat::store {
namespace {

Millis now_millis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

PGconn* listen_on(const std::string& uri) {
  PGconn* conn = pg::connect(uri);
  PGresult* result = PQexec(conn, "LISTEN seshat");
  const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
  PQclear(result);
  if (!ok) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    throw StoreError("cannot LISTEN on PostgreSQL: " + message);
  }
  return conn;
}

}  // namespace

PgListener::PgListener(std::string uri, ChangeFeed& feed, bool skip_own)
    : m_uri(std::move(uri)), m_feed(feed), m_skip_own(skip_own) {
  m_conn = listen_on(m_uri);
  if (::pipe(m_wake) != 0) {
    PQfinish(static_cast<PGconn*>(m_conn));
    throw StoreError("cannot create a pipe for the PostgreSQL listener");
  }
  m_connected = true;
  m_thread = std::thread([this] { run(); });
}

PgListener::~PgListener() {
  m_stop = true;
  const char byte = 0;
  (void)!::write(m_wake[1], &byte, 1);
  m_thread.join();
  if (m_conn != nullptr) PQfinish(static_cast<PGconn*>(m_conn));
  ::close(m_wake[0]);
  ::close(m_wake[1]);
}

void PgListener::run() {
  pthread_setname_np(pthread_self(), "seshat-listen");
  auto backoff = std::chrono::milliseconds(100);
  while (!m_stop.load()) {
    auto* conn = static_cast<PGconn*>(m_conn);
    if (conn == nullptr) {
      // Reconnect, then tell every waiter to read again: what was notified meanwhile is lost.
      pollfd wake{m_wake[0], POLLIN, 0};
      if (::poll(&wake, 1, static_cast<int>(backoff.count())) > 0) continue;
      try {
        m_conn = listen_on(m_uri);
        m_connected = true;
        ++m_reconnects;
        backoff = std::chrono::milliseconds(100);
        m_feed.publish(any_chat);
      } catch (const StoreError&) {
        backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
      }
      continue;
    }
    pollfd fds[2] = {{PQsocket(conn), POLLIN, 0}, {m_wake[0], POLLIN, 0}};
    // A keep-alive every few seconds notices a server that went away without closing.
    const int ready = ::poll(fds, 2, 5000);
    if (m_stop.load()) break;
    bool broken = false;
    if (ready == 0) {
      PGresult* result = PQexec(conn, "SELECT 1");
      broken = PQresultStatus(result) != PGRES_TUPLES_OK;
      PQclear(result);
    } else if (ready > 0 && (fds[0].revents & (POLLIN | POLLERR | POLLHUP)) != 0) {
      broken = PQconsumeInput(conn) == 0;
    }
    while (PGnotify* notify = PQnotifies(conn)) {
      // "<origin> <commit ms> <chat ids>"
      std::string_view payload(notify->extra);
      const auto origin_end = payload.find(' ');
      const auto origin = payload.substr(0, origin_end);
      payload.remove_prefix(origin_end == std::string_view::npos ? payload.size() : origin_end + 1);
      if (m_skip_own && origin == pg::process_origin()) {
        PQfreemem(notify);
        continue;
      }
      ++m_notifications;
      const auto space = payload.find(' ');
      if (space != std::string_view::npos) {
        const auto lag =
            now_millis() - std::strtoll(std::string(payload.substr(0, space)).c_str(), nullptr, 10);
        m_last_lag_ms = lag;
        m_lag_sum_ms += lag;
        std::string_view ids = payload.substr(space + 1);
        while (!ids.empty()) {
          const auto comma = ids.find(',');
          const std::string one(ids.substr(0, comma));
          m_feed.publish(std::strtoll(one.c_str(), nullptr, 10));
          if (comma == std::string_view::npos) break;
          ids.remove_prefix(comma + 1);
        }
      } else {
        m_feed.publish(any_chat);
      }
      PQfreemem(notify);
    }
    if (broken || PQstatus(conn) != CONNECTION_OK) {
      m_connected = false;
      PQfinish(conn);
      m_conn = nullptr;
    }
  }
}

std::string PgListener::metrics() const {
  std::string text;
  text += "# HELP seshat_feed_notifications_total Change notifications received from PostgreSQL.\n";
  text += "# TYPE seshat_feed_notifications_total counter\n";
  text += "seshat_feed_notifications_total " + std::to_string(m_notifications.load()) + "\n";
  text += "# HELP seshat_feed_lag_seconds Commit to wake-up of the last notification.\n";
  text += "# TYPE seshat_feed_lag_seconds gauge\n";
  text += "seshat_feed_lag_seconds " + std::to_string(m_last_lag_ms.load() / 1000.0) + "\n";
  text += "# HELP seshat_feed_lag_seconds_sum Commit to wake-up, summed over notifications.\n";
  text += "# TYPE seshat_feed_lag_seconds_sum counter\n";
  text += "seshat_feed_lag_seconds_sum " + std::to_string(m_lag_sum_ms.load() / 1000.0) + "\n";
  text += "# HELP seshat_feed_reconnects_total Reconnects of the change feed's connection.\n";
  text += "# TYPE seshat_feed_reconnects_total counter\n";
  text += "seshat_feed_reconnects_total " + std::to_string(m_reconnects.load()) + "\n";
  text += "# HELP seshat_feed_connected Whether the change feed's connection is up.\n";
  text += "# TYPE seshat_feed_connected gauge\n";
  text += std::string("seshat_feed_connected ") + (m_connected.load() ? "1" : "0") + "\n";
  return text;
}

}  // namespace seshat::store
