#include "http/sse.hpp"

#include "http/api_json.hpp"

namespace seshat::http {

// JSON as rendered by api_json never holds a raw line break, so each event is one data line.

std::string sse_retry(int milliseconds) {
  return "retry: " + std::to_string(milliseconds) + "\n\n";
}

std::string sse_status(core::VisitorStatus status, std::optional<int> position,
                       std::string_view operator_name) {
  return "event: status\ndata: " + status_json(status, position, operator_name) + "\n\n";
}

std::string sse_typing(bool typing, std::string_view name) {
  return "event: typing\ndata: " + typing_json(typing, name) + "\n\n";
}

std::string sse_message(const store::Message& message) {
  return "id: " + std::to_string(message.seq) + "\ndata: " + message_json(message) + "\n\n";
}

std::string sse_ping() {
  return ": ping\n\n";
}

}  // namespace seshat::http
