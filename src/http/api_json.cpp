#include "http/api_json.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>

#include "base/time_format.hpp"
#include "visitors/text_check.hpp"

namespace seshat::http {
namespace {

using nlohmann::json;

base::Failure bad_request(std::string sentence) {
  return base::Failure{base::Error::bad_request, std::move(sentence)};
}

// Parses a JSON object body, with one sentence for each way it can be wrong.
base::Result<json> parse_object(std::string_view body) {
  if (body.empty()) return bad_request("The request body is empty; a JSON object is expected.");
  // nlohmann would reject it too, but this says what is wrong.
  if (!visitors::is_valid_utf8(body)) return bad_request("The request body is not valid UTF-8.");
  json document = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return bad_request("The request body is not valid JSON.");
  if (!document.is_object()) return bad_request("The request body must be a JSON object.");
  return document;
}

enum class Field { required, optional };

// A string field; an optional one absent or null gives "".
base::Result<std::string> string_field(const json& object, const char* name, Field field) {
  const auto found = object.find(name);
  if (found == object.end() || found->is_null()) {
    if (field == Field::required)
      return bad_request(std::string("The field '") + name + "' is required.");
    return std::string{};
  }
  if (!found->is_string())
    return bad_request(std::string("The field '") + name + "' must be a string.");
  return found->get<std::string>();
}

std::string dump(const json& value) {
  // Stored texts are valid UTF-8 already; replace rather than throw should one not be.
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

json message_object(const store::Message& message) {
  json object{{"seq", message.seq},
              {"from", core::to_string(message.from)},
              {"text", message.text},
              {"at", base::format_rfc3339(message.at)}};
  if (message.replaces) object["replaces"] = *message.replaces;
  if (message.from == core::Author::operator_ && !message.name.empty())
    object["name"] = message.name;
  return object;
}

}  // namespace

base::Result<StartRequest> decode_start(std::string_view body) {
  auto object = parse_object(body);
  if (!object) return object.failure();
  auto name = string_field(object.value(), "name", Field::required);
  if (!name) return name.failure();
  auto message = string_field(object.value(), "message", Field::optional);
  if (!message) return message.failure();
  auto page = string_field(object.value(), "page", Field::optional);
  if (!page) return page.failure();
  auto email = string_field(object.value(), "email", Field::optional);
  if (!email) return email.failure();
  auto language = string_field(object.value(), "language", Field::optional);
  if (!language) return language.failure();
  return StartRequest{std::move(name).value(), std::move(message).value(), std::move(page).value(),
                      std::move(email).value(), std::move(language).value()};
}

base::Result<SendRequest> decode_send(std::string_view body) {
  auto object = parse_object(body);
  if (!object) return object.failure();
  auto text = string_field(object.value(), "text", Field::required);
  if (!text) return text.failure();
  auto client_id = string_field(object.value(), "client_id", Field::optional);
  if (!client_id) return client_id.failure();
  // Present but empty is a mistake, not "none": say so rather than store without one.
  if (const auto found = object->find("client_id");
      found != object->end() && found->is_string() && client_id->empty()) {
    return bad_request("The field 'client_id' must be 1 to 64 characters.");
  }
  return SendRequest{std::move(text).value(), std::move(client_id).value()};
}

base::Result<std::string> decode_text(std::string_view body) {
  auto object = parse_object(body);
  if (!object) return object.failure();
  return string_field(object.value(), "text", Field::required);
}

base::Result<std::string> decode_email(std::string_view body) {
  auto object = parse_object(body);
  if (!object) return object.failure();
  return string_field(object.value(), "email", Field::required);
}

base::Result<bool> decode_typing(std::string_view body) {
  auto object = parse_object(body);
  if (!object) return object.failure();
  const auto found = object.value().find("typing");
  if (found == object.value().end() || found->is_null())
    return bad_request("The field 'typing' is required.");
  if (!found->is_boolean()) return bad_request("The field 'typing' must be true or false.");
  return found->get<bool>();
}

base::Result<core::Seq> decode_read(std::string_view body) {
  auto object = parse_object(body);
  if (!object) return object.failure();
  const auto found = object.value().find("seq");
  if (found == object.value().end() || found->is_null())
    return bad_request("The field 'seq' is required.");
  if (found->is_number_unsigned()) {
    const auto seq = found->get<std::uint64_t>();
    if (seq <= static_cast<std::uint64_t>(std::numeric_limits<core::Seq>::max()))
      return static_cast<core::Seq>(seq);
  }
  return bad_request("The field 'seq' must be a whole number, 0 or more.");
}

int status_of(base::Error error) {
  return base::info(error).http_status;
}

std::string error_json(std::string_view sentence) {
  return dump(json{{"error", sentence}});
}

std::string ticket_json(const visitors::Ticket& ticket) {
  return dump(json{{"id", ticket.id}, {"token", ticket.token}});
}

std::string seq_json(core::Seq seq) {
  return dump(json{{"seq", seq}});
}

std::string message_json(const store::Message& message) {
  return dump(message_object(message));
}

std::string transcript_json(const visitors::Transcript& transcript) {
  json messages = json::array();
  for (const auto& message : transcript.messages) messages.push_back(message_object(message));
  json reply{{"status", core::to_string(transcript.status)}, {"messages", std::move(messages)}};
  if (transcript.position) reply["position"] = *transcript.position;
  if (!transcript.operator_name.empty()) reply["operator"] = transcript.operator_name;
  return dump(reply);
}

std::string status_json(core::VisitorStatus status, std::optional<int> position,
                        std::string_view operator_name) {
  json reply{{"status", core::to_string(status)}};
  if (position) reply["position"] = *position;
  if (!operator_name.empty()) reply["operator"] = operator_name;
  return dump(reply);
}

std::string queued_json() {
  return dump(json{{"status", "queued"}});
}

std::string typing_json(bool typing, std::string_view name) {
  return dump(json{{"typing", typing}, {"name", name}});
}

std::string availability_json(const visitors::Availability& availability) {
  return dump(json{{"available", availability.available},
                   {"operators", availability.operators},
                   {"free", availability.free},
                   {"mail", availability.mail}});
}

std::string health_json(bool ok, bool store_ok,
                        const std::vector<std::pair<std::string, std::string>>& checks) {
  json report{{"status", ok ? "ok" : "failing"}, {"store", store_ok ? "ok" : "failing"}};
  for (const auto& [name, value] : checks) report[name] = value;
  return dump(report);
}

}  // namespace seshat::http
