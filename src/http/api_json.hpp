#pragma once
// The JSON of the API: request bodies decoded into plain structs (with the 400 sentences), and
// replies rendered as text. The only place (with metrics) that knows the wire format of a field.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "store/store.hpp"
#include "visitors/visitors.hpp"

namespace seshat::http {

struct StartRequest {
  std::string name;
  std::string message;            // optional opening text
  std::string page;               // optional page the visitor came from
  std::string email;              // optional address of the visitor (checked by the Visitors)
  std::string language;           // optional BCP 47 tag of the visitor's language
  std::string visitor;            // optional random id the widget keeps for this browser
  std::string referrer;           // optional page that led the visitor to the site
  std::optional<int> utc_offset;  // optional minutes east of UTC of the visitor's clock
};

// {"name":"...","message":"...","page":"...","email":"..."}: name required; all strings.
[[nodiscard]] base::Result<StartRequest> decode_start(std::string_view body);

// {"text":"..."}: the text of a visitor message (required, a string).
[[nodiscard]] base::Result<std::string> decode_text(std::string_view body);

// {"email":"..."}: the address a transcript goes to (required, a string).
[[nodiscard]] base::Result<std::string> decode_email(std::string_view body);

struct SendRequest {
  std::string text;
  std::string client_id;  // optional: the sender's id of this message, the same on every retry
  std::string stream;     // optional: the id of the sending page's event stream (is_page_id)
};

// {"text":"...","client_id":"...","stream":"..."}: text required, the others optional; all
// strings, the optional ones not empty when present.
[[nodiscard]] base::Result<SendRequest> decode_send(std::string_view body);

// {"typing":true|false}: whether the visitor is typing (required, a boolean).
[[nodiscard]] base::Result<bool> decode_typing(std::string_view body);

// {"seq":N}: the last message the visitor saw (required, an integer 0 or more).
[[nodiscard]] base::Result<core::Seq> decode_read(std::string_view body);

// The HTTP status of each failure of the visitor's operations.
[[nodiscard]] int status_of(base::Error error);

[[nodiscard]] std::string error_json(std::string_view sentence);        // {"error":"..."}
[[nodiscard]] std::string ticket_json(const visitors::Ticket& ticket);  // {"id":..,"token":..}
[[nodiscard]] std::string seq_json(core::Seq seq);                      // {"seq":N}
// {"seq","from","text","at"}, and "replaces" (a correction) and "name" (an operator's) if any
[[nodiscard]] std::string message_json(const store::Message& message);
[[nodiscard]] std::string transcript_json(const visitors::Transcript& transcript);
// {"status":"...","position":N,"operator":"..."}: the queue position only when there is one,
// the operator's display name only when not empty.
[[nodiscard]] std::string status_json(core::VisitorStatus status,
                                      std::optional<int> position = std::nullopt,
                                      std::string_view operator_name = {});
// {"status":"queued"}: the answer to a transcript request.
[[nodiscard]] std::string queued_json();
// {"typing":true|false,"name":"..."}: the SSE typing event's data.
[[nodiscard]] std::string typing_json(bool typing, std::string_view name);
[[nodiscard]] std::string availability_json(const visitors::Availability& availability);
// {"status":"ok"|"failing","store":"ok"|"failing", and each check as "name":"value"}
[[nodiscard]] std::string health_json(
    bool ok, bool store_ok, const std::vector<std::pair<std::string, std::string>>& checks);

}  // namespace seshat::http
