#include "http/api_json.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "base/time_format.hpp"
#include "visitors/text_check.hpp"

namespace seshat::http {
namespace {

using nlohmann::json;

base::Failure bad_request(std::string sentence) {
  return base::Failure{base::Error::bad_request, std::move(sentence)};
}

// The top-level fields of a JSON object that a decoder reads, each as its value (an object or
// an array only as an empty one of its kind). Read as the parser meets them, without building the
// document: a visitor's every line is decoded, and the document's nodes were most of that.
class Fields {
 public:
  explicit Fields(std::initializer_list<std::string_view> names) {
    for (const auto name : names) m_fields.push_back({name, std::nullopt});
  }

  // The field's value; nullptr when absent.
  [[nodiscard]] const json* find(std::string_view name) const {
    for (const auto& [known, value] : m_fields) {
      if (known == name) return value ? &*value : nullptr;
    }
    return nullptr;
  }

  [[nodiscard]] bool object() const { return m_object; }

  // nlohmann's SAX interface. A key given twice keeps its last value, as a parsed document does.
  bool null() { return value(nullptr); }
  bool boolean(bool flag) { return value(flag); }
  bool number_integer(json::number_integer_t number) { return value(number); }
  bool number_unsigned(json::number_unsigned_t number) { return value(number); }
  bool number_float(json::number_float_t number, const json::string_t&) { return value(number); }
  bool string(json::string_t& text) { return value(std::move(text)); }
  bool binary(json::binary_t&) { return value(json::value_t::binary); }  // not in JSON text
  bool start_object(std::size_t) { return open(json::value_t::object); }
  bool start_array(std::size_t) { return open(json::value_t::array); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(json::string_t& name) {
    if (m_depth == 1) {
      m_slot = nullptr;
      for (auto& [known, value] : m_fields) {
        if (known == name) m_slot = &value;
      }
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return false;
  }

 private:
  bool value(json given) {
    if (m_depth == 0) m_object = false;
    if (m_depth == 1 && m_slot) *m_slot = std::move(given);
    return true;
  }
  bool open(json::value_t kind) {
    if (m_depth == 0) m_object = kind == json::value_t::object;
    if (m_depth == 1 && m_slot) *m_slot = json(kind);
    ++m_depth;
    return true;
  }
  bool close() {
    --m_depth;
    return true;
  }

  std::vector<std::pair<std::string_view, std::optional<json>>> m_fields;
  std::optional<json>* m_slot = nullptr;  // where the value after the last key goes, if read
  int m_depth = 0;
  bool m_object = false;
};

// Reads the `names` fields of a JSON object body, with one sentence for each way it can be wrong.
base::Result<Fields> read_object(std::string_view body,
                                 std::initializer_list<std::string_view> names) {
  if (body.empty()) return bad_request("The request body is empty; a JSON object is expected.");
  // nlohmann would reject it too, but this says what is wrong.
  if (!visitors::is_valid_utf8(body)) return bad_request("The request body is not valid UTF-8.");
  Fields fields(names);
  if (!json::sax_parse(body.begin(), body.end(), &fields))
    return bad_request("The request body is not valid JSON.");
  if (!fields.object()) return bad_request("The request body must be a JSON object.");
  return fields;
}

enum class Field { required, optional };

// A string field; an optional one absent or null gives "".
base::Result<std::string> string_field(const Fields& object, const char* name, Field field) {
  const json* found = object.find(name);
  if (found == nullptr || found->is_null()) {
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
  auto object = read_object(
      body, {"name", "message", "page", "email", "language", "visitor", "referrer", "utc_offset"});
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
  if (const json* found = object->find("utc_offset"); found != nullptr && !found->is_null()) {
    constexpr std::int64_t k_max_offset = 14 * 60;  // UTC-12:00 .. UTC+14:00, and a margin
    if (!found->is_number_integer() || found->get<std::int64_t>() < -k_max_offset ||
        found->get<std::int64_t>() > k_max_offset)
      return bad_request("The field 'utc_offset' must be whole minutes from -840 to 840.");
    utc_offset = static_cast<int>(found->get<std::int64_t>());
  }
  return StartRequest{std::move(name).value(),     std::move(message).value(),
                      std::move(page).value(),     std::move(email).value(),
                      std::move(language).value(), std::move(visitor).value(),
                      std::move(referrer).value(), utc_offset};
}

base::Result<SendRequest> decode_send(std::string_view body) {
  auto object = read_object(body, {"text", "client_id", "stream"});
  if (!object) return object.failure();
  auto text = string_field(object.value(), "text", Field::required);
  if (!text) return text.failure();
  auto client_id = string_field(object.value(), "client_id", Field::optional);
  if (!client_id) return client_id.failure();
  auto stream = string_field(object.value(), "stream", Field::optional);
  if (!stream) return stream.failure();
  // Present but empty is a mistake, not "none": say so rather than store without one.
  const auto given = [&](const char* name) {
    const json* found = object->find(name);
    return found != nullptr && found->is_string();
  };
  if (given("client_id") && client_id->empty())
    return bad_request("The field 'client_id' must be 1 to 64 characters.");
  if (given("stream")) {
    if (auto checked = visitors::check_stream_name(stream.value(), "field 'stream'"); !checked)
      return checked.failure();
  }
  return SendRequest{std::move(text).value(), std::move(client_id).value(),
                     std::move(stream).value()};
}

base::Result<std::string> decode_text(std::string_view body) {
  auto object = read_object(body, {"text"});
  if (!object) return object.failure();
  return string_field(object.value(), "text", Field::required);
}

base::Result<std::string> decode_email(std::string_view body) {
  auto object = read_object(body, {"email"});
  if (!object) return object.failure();
  return string_field(object.value(), "email", Field::required);
}

base::Result<bool> decode_typing(std::string_view body) {
  auto object = read_object(body, {"typing"});
  if (!object) return object.failure();
  const json* found = object->find("typing");
  if (found == nullptr || found->is_null()) return bad_request("The field 'typing' is required.");
  if (!found->is_boolean()) return bad_request("The field 'typing' must be true or false.");
  return found->get<bool>();
}

base::Result<core::Seq> decode_read(std::string_view body) {
  auto object = read_object(body, {"seq"});
  if (!object) return object.failure();
  const json* found = object->find("seq");
  if (found == nullptr || found->is_null()) return bad_request("The field 'seq' is required.");
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
