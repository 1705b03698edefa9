#include "http/api_json.hpp"

#include <boost/json/error.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "base/time_format.hpp"
#include "visitors/text_check.hpp"

namespace seshat::http {
namespace {

using nlohmann::json;

base::Failure bad_request(std::string sentence) {
  return base::Failure{base::Error::bad_request, std::move(sentence)};
}

// Reads a JSON object body, with one sentence for each way it can be wrong. Boost.JSON reads
// request bodies (a visitor's every line is one): under half the instructions of nlohmann's
// parser for the widget's body; nlohmann writes the answers.
base::Result<boost::json::object> read_object(std::string_view body) {
  if (body.empty()) return bad_request("The request body is empty; a JSON object is expected.");
  boost::system::error_code error;
  const boost::json::parse_options options;
  auto value =
      boost::json::parse(boost::json::string_view(body.data(), body.size()), error, {}, options);
  if (error) {
    // Invalid UTF-8 is a syntax error to the parser; this says what is wrong.
    if (!visitors::is_valid_utf8(body)) return bad_request("The request body is not valid UTF-8.");
    if (error == boost::json::error::too_deep)
      return bad_request("The request body nests deeper than " + std::to_string(options.max_depth) +
                         " levels.");
    return bad_request("The request body is not valid JSON.");
  }
  if (!value.is_object()) return bad_request("The request body must be a JSON object.");
  return std::move(value.get_object());
}

// A top-level field's value; nullptr when absent or null.
const boost::json::value* given(const boost::json::object& object, std::string_view name) {
  const auto* found = object.if_contains(boost::json::string_view(name.data(), name.size()));
  return found == nullptr || found->is_null() ? nullptr : found;
}

enum class Field { required, optional };

// A string field; an optional one absent or null gives "".
base::Result<std::string> string_field(const boost::json::object& object, const char* name,
                                       Field field) {
  const auto* found = given(object, name);
  if (found == nullptr) {
    if (field == Field::required)
      return bad_request(std::string("The field '") + name + "' is required.");
    return std::string{};
  }
  if (!found->is_string())
    return bad_request(std::string("The field '") + name + "' must be a string.");
  return std::string(found->get_string());
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

// A JSON string as dump() writes it, for valid UTF-8 (kept as is, not \u-escaped).
void append_string(std::string& out, std::string_view text) {
  static constexpr char k_hex[] = "0123456789abcdef";
  out += '"';
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (byte < 0x20) {
          out += "\\u00";
          out += k_hex[byte >> 4];
          out += k_hex[byte & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

// message_object(message) as dump() writes it (its keys in order), without building it: every
// line on every event stream is one, and the object's nodes were a tenth of the HTTP thread.
void append_message(std::string& out, const store::Message& message) {
  const bool named = message.from == core::Author::operator_ && !message.name.empty();
  if (!visitors::is_valid_utf8(message.text) || (named && !visitors::is_valid_utf8(message.name))) {
    out += dump(message_object(message));  // its replacement characters
    return;
  }
  out += "{\"at\":";
  append_string(out, base::format_rfc3339(message.at));
  out += ",\"from\":";
  append_string(out, core::to_string(message.from));
  if (named) {
    out += ",\"name\":";
    append_string(out, message.name);
  }
  if (message.replaces) {
    out += ",\"replaces\":";
    out += std::to_string(*message.replaces);
  }
  out += ",\"seq\":";
  out += std::to_string(message.seq);
  out += ",\"text\":";
  append_string(out, message.text);
  out += '}';
}

}  // namespace

base::Result<StartRequest> decode_start(std::string_view body) {
  auto object = read_object(body);
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
  auto visitor = string_field(object.value(), "visitor", Field::optional);
  if (!visitor) return visitor.failure();
  auto referrer = string_field(object.value(), "referrer", Field::optional);
  if (!referrer) return referrer.failure();
  std::optional<int> utc_offset;
  if (const auto* found = given(object.value(), "utc_offset")) {
    constexpr std::int64_t k_max_offset = 14 * 60;  // UTC-12:00 .. UTC+14:00, and a margin
    const auto* minutes = found->if_int64();
    if (minutes == nullptr || *minutes < -k_max_offset || *minutes > k_max_offset)
      return bad_request("The field 'utc_offset' must be whole minutes from -840 to 840.");
    utc_offset = static_cast<int>(*minutes);
  }
  return StartRequest{std::move(name).value(),     std::move(message).value(),
                      std::move(page).value(),     std::move(email).value(),
                      std::move(language).value(), std::move(visitor).value(),
                      std::move(referrer).value(), utc_offset};
}

base::Result<SendRequest> decode_send(std::string_view body) {
  auto object = read_object(body);
  if (!object) return object.failure();
  auto text = string_field(object.value(), "text", Field::required);
  if (!text) return text.failure();
  auto client_id = string_field(object.value(), "client_id", Field::optional);
  if (!client_id) return client_id.failure();
  auto stream = string_field(object.value(), "stream", Field::optional);
  if (!stream) return stream.failure();
  // Present but empty is a mistake, not "none": say so rather than store without one.
  if (given(object.value(), "client_id") && client_id->empty())
    return bad_request("The field 'client_id' must be 1 to 64 characters.");
  if (given(object.value(), "stream")) {
    if (auto checked = visitors::check_stream_name(stream.value(), "field 'stream'"); !checked)
      return checked.failure();
  }
  return SendRequest{std::move(text).value(), std::move(client_id).value(),
                     std::move(stream).value()};
}

base::Result<std::string> decode_text(std::string_view body) {
  auto object = read_object(body);
  if (!object) return object.failure();
  return string_field(object.value(), "text", Field::required);
}

base::Result<std::string> decode_email(std::string_view body) {
  auto object = read_object(body);
  if (!object) return object.failure();
  return string_field(object.value(), "email", Field::required);
}

base::Result<bool> decode_typing(std::string_view body) {
  auto object = read_object(body);
  if (!object) return object.failure();
  const auto* found = given(object.value(), "typing");
  if (found == nullptr) return bad_request("The field 'typing' is required.");
  if (!found->is_bool()) return bad_request("The field 'typing' must be true or false.");
  return found->get_bool();
}

base::Result<core::Seq> decode_read(std::string_view body) {
  auto object = read_object(body);
  if (!object) return object.failure();
  const auto* found = given(object.value(), "seq");
  if (found == nullptr) return bad_request("The field 'seq' is required.");
  // Whole numbers beyond int64 come as uint64, and are beyond a seq too.
  if (const auto* seq = found->if_int64(); seq != nullptr && *seq >= 0) return *seq;
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
  return "{\"seq\":" + std::to_string(seq) + '}';  // every visitor message's answer
}

std::string message_json(const store::Message& message) {
  std::string out;
  append_message(out, message);
  return out;
}

std::string transcript_json(const visitors::Transcript& transcript) {
  // The keys in dump()'s order: messages, operator, position, status.
  std::string out = "{\"messages\":[";
  for (const auto& message : transcript.messages) {
    if (&message != &transcript.messages.front()) out += ',';
    append_message(out, message);
  }
  out += ']';
  if (!transcript.operator_name.empty()) {
    out += ",\"operator\":";
    out += dump(json(transcript.operator_name));
  }
  if (transcript.position) {
    out += ",\"position\":";
    out += std::to_string(*transcript.position);
  }
  out += ",\"status\":";
  append_string(out, core::to_string(transcript.status));
  out += '}';
  return out;
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
