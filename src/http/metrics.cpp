#include "http/metrics.hpp"

#include <sstream>

namespace seshat::http {

void Metrics::count_response(int status) {
  auto& counter = status < 300   ? responses_2xx
                  : status < 400 ? responses_3xx
                  : status < 500 ? responses_4xx
                                 : responses_5xx;
  counter.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::observe_duration(std::chrono::steady_clock::duration duration) {
  durations.observe(duration);
}

namespace {

template <class Atomic>
void line(std::ostringstream& out, const char* name, const char* type, const char* help,
          const Atomic& value) {
  out << "# HELP seshat_http_" << name << ' ' << help << '\n'
      << "# TYPE seshat_http_" << name << ' ' << type << '\n'
      << "seshat_http_" << name << ' ' << value.load(std::memory_order_relaxed) << '\n';
}

}  // namespace

std::string render_prometheus(const Metrics& m) {
  std::ostringstream out;
  line(out, "requests_total", "counter", "HTTP requests read.", m.requests);
  out << "# HELP seshat_http_responses_total HTTP responses by status class.\n"
      << "# TYPE seshat_http_responses_total counter\n"
      << "seshat_http_responses_total{code=\"2xx\"} " << m.responses_2xx.load() << '\n'
      << "seshat_http_responses_total{code=\"3xx\"} " << m.responses_3xx.load() << '\n'
      << "seshat_http_responses_total{code=\"4xx\"} " << m.responses_4xx.load() << '\n'
      << "seshat_http_responses_total{code=\"5xx\"} " << m.responses_5xx.load() << '\n';
  line(out, "chats_started_total", "counter", "Chats opened by visitors.", m.chats_started);
  line(out, "messages_sent_total", "counter", "Visitor messages accepted.", m.messages_sent);
  line(out, "rate_limited_total", "counter",
       "Requests refused by a rate limit (chat creation, wrong tokens).", m.rate_limited);
  line(out, "events_sent_total", "counter", "Server-sent events written.", m.events_sent);
  line(out, "connections", "gauge", "Open TCP connections.", m.connections);
  line(out, "long_polls", "gauge", "Requests waiting for a message.", m.long_polls);
  line(out, "event_streams", "gauge", "Open event streams (SSE).", m.event_streams);
  line(out, "db_queue", "gauge", "Jobs waiting for the database thread.", m.db_queue);
  line(out, "connections_refused_total", "counter",
       "Connections refused or limited to health checks by a connection cap.",
       m.connections_refused);
  line(out, "streams_refused_total", "counter",
       "Event streams and long-polls refused by max_streams_per_chat.", m.streams_refused);
  line(out, "streams_cut_total", "counter",
       "Event streams ended because their reader fell too far behind.", m.streams_cut);

  out << "# HELP seshat_http_request_duration_seconds Time to answer a request (not waits).\n"
      << "# TYPE seshat_http_request_duration_seconds histogram\n";
  m.durations.render(out, "seshat_http_request_duration_seconds");
  return out.str();
}

}  // namespace seshat::http
